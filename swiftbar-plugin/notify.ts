/**
 * Native notifications from the plugin's short runs:
 * - SwiftBar: its `swiftbar://notify` URL, opened in the background with `open -g`;
 * - xbar: `osascript` "display notification";
 * - the CLI on Linux: `notify-send`, when it is installed.
 * Programs are run directly with argv (never through a shell) and a timeout; a failure is reported, never thrown.
 */
import { basename } from 'node:path';
import type { Alert } from '../core/alerts.js';

/** How this run delivers notifications. */
export type NotifierKind = 'swiftbar' | 'xbar' | 'notify-send' | 'none';

/** Picks the notifier for this environment: the host app first, then the desktop's. */
export function notifierFor(env: NodeJS.ProcessEnv, platform: string): NotifierKind {
  if (env.SWIFTBAR === '1') return 'swiftbar';
  if (env.XBARDarkMode !== undefined || env.BitBarDarkMode !== undefined) return 'xbar';
  return platform === 'linux' ? 'notify-send' : 'none';
}

/**
 * The SwiftBar URL that shows one notification for this plugin (`plugin` is the plugin's file name, its id):
 * `swiftbar://notify?plugin=…&title=…&body=…&href=…`.
 */
export function swiftbarNotifyUrl(alert: Alert, plugin: string): string {
  const query = new URLSearchParams({ plugin, title: alert.title, body: alert.body, href: alert.url });
  return `swiftbar://notify?${query.toString().replace(/\+/g, '%20')}`;
}

/** The argv that delivers one alert with a notifier, or null for `none`. */
export function notificationCommand(alert: Alert, kind: NotifierKind, pluginPath: string): string[] | null {
  switch (kind) {
    case 'swiftbar':
      return ['open', '-g', swiftbarNotifyUrl(alert, basename(pluginPath))];
    case 'xbar':
      return [
        'osascript',
        '-e',
        'on run argv',
        '-e',
        'display notification (item 2 of argv) with title (item 1 of argv)',
        '-e',
        'end run',
        alert.title,
        alert.body,
      ];
    case 'notify-send':
      return [
        'notify-send',
        `--urgency=${alert.urgency === 'high' ? 'critical' : 'normal'}`,
        '--app-name=Headroom',
        alert.title,
        alert.body,
      ];
    default:
      return null;
  }
}

/** Delivers the alerts one by one; resolves with a sentence per failure (for stderr). */
export async function deliver(alerts: Alert[], kind: NotifierKind, pluginPath: string): Promise<string[]> {
  const failures: string[] = [];
  if (alerts.length === 0) return failures;
  const { execFile } = await import('node:child_process');
  for (const alert of alerts) {
    const argv = notificationCommand(alert, kind, pluginPath);
    if (!argv) continue;
    const [file, ...args] = argv as [string, ...string[]];
    await new Promise<void>((resolve) => {
      execFile(file, args, { timeout: 5000 }, (error) => {
        // notify-send missing is normal on a headless machine: say nothing.
        const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT' && kind === 'notify-send';
        if (error && !missing) failures.push(`could not show a notification with ${file}: ${error.message}`);
        resolve();
      });
    });
  }
  return failures;
}
