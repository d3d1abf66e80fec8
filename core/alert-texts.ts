/**
 * The wording of alerts (core/alerts.ts decides which alerts to show; this module only says them), e.g.
 * "Claude session window reached 80% used" / "Claude session (5 h) window: 82% used, resets in 2 h 14 min (16:16).".
 */
import {
  type DisplayMode,
  type LocaleOptions,
  formatEstimateIn,
  formatLocalTime,
  formatResetCountdown,
  formatShownPercent,
} from './format.js';
import type { UsageWindow } from './model.js';

/**
 * The words of alerts for one provider: titles and bodies in plain English, percentages in the user's display mode
 * (used or left) and locale, times in the user's zone. `now` is epoch ms; percentages are 0–100 used.
 */
export class AlertTexts {
  constructor(
    readonly name: string,
    readonly display: DisplayMode,
    readonly now: number,
    readonly locale: LocaleOptions,
  ) {}

  /** "Claude session window" from "Session (5 h)". */
  private short(label: string): string {
    return `${this.name} ${lowerFirst(label.replace(/\s*\([^)]*\)\s*/g, ' ').trim())} window`;
  }

  /** "Claude session (5 h) window" from "Session (5 h)". */
  private long(label: string): string {
    return `${this.name} ${lowerFirst(label)} window`;
  }

  /** "82% used" or "18% left". */
  private percent(used: number): string {
    return formatShownPercent(used, this.display, this.locale);
  }

  /** "Claude session (5 h) window: 82% used, resets in 2 h 14 min (16:16)." */
  windowLine(window: UsageWindow): string {
    const reset = window.resetsAt === null ? '' : `, ${formatResetCountdown(window.resetsAt, this.now, this.locale)}`;
    return `${this.long(window.label)}: ${this.percent(window.usedPercent)}${reset}.`;
  }

  /** "Claude session window reached 80% used", or "… down to 20% left"; `threshold` is percent used. */
  thresholdTitle(label: string, threshold: number): string {
    return this.display === 'used'
      ? `${this.short(label)} reached ${this.percent(threshold)}`
      : `${this.short(label)} down to ${this.percent(threshold)}`;
  }

  /** "Claude session window used up". */
  depletedTitle(label: string): string {
    return `${this.short(label)} used up`;
  }

  /** "Claude session window usable again". */
  restoredTitle(label: string): string {
    return `${this.short(label)} usable again`;
  }

  /** "Claude session window reset". */
  resetTitle(label: string): string {
    return `${this.short(label)} reset`;
  }

  /** "in ~1 h 40 min" or "in under a minute", until `at` (epoch ms). */
  private inAbout(at: number): string {
    return formatEstimateIn(at - this.now);
  }

  /** "Claude weekly window runs out in ~1 h 40 min" (or "… in under a minute"); `runsOutAt` is epoch ms. */
  predictiveTitle(label: string, runsOutAt: number): string {
    return `${this.short(label)} runs out ${this.inAbout(runsOutAt)}`;
  }

  /** "Claude weekly window runs out in ~1 h 40 min at this pace, before it resets at Thu 08:00. Now 62% used." */
  predictiveBody(window: UsageWindow, runsOutAt: number, resetsAt: number): string {
    return (
      `${this.long(window.label)} runs out ${this.inAbout(runsOutAt)} at this pace, before it resets at ` +
      `${formatLocalTime(resetsAt, this.now, this.locale)}. Now ${this.percent(window.usedPercent)}.`
    );
  }

  /** Appended to a threshold alert: "At this pace it runs out in ~1 h 40 min." */
  predictiveSentence(runsOutAt: number): string {
    return `At this pace it runs out ${this.inAbout(runsOutAt)}.`;
  }

  /** "Claude: signed out" or "Claude: login rejected". */
  signInTitle(status: 'signed-out' | 'unauthorized'): string {
    return status === 'signed-out' ? `${this.name}: signed out` : `${this.name}: login rejected`;
  }
}

/** "Session" → "session", "Weekly · Opus" → "weekly · Opus"; other labels ("GPT-5 Spark · …", "8 h") unchanged. */
function lowerFirst(label: string): string {
  return /^(Session|Weekly|Daily|Monthly)\b/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}
