import { describe, expect, it } from 'vitest';
import {
  type AlertSettings,
  DEFAULT_ALERT_SETTINGS,
  parseAlertSettings,
  thresholdsFor,
} from '../../core/alert-settings.js';

describe('thresholdsFor', () => {
  const custom: AlertSettings = {
    ...structuredClone(DEFAULT_ALERT_SETTINGS),
    windowThresholds: { weekly: [50], 'claude.session': [70], 'codex.weekly': [] },
  };

  it('uses <provider>.<window>, then <window>, then the default list', () => {
    expect(thresholdsFor(custom, 'claude', 'session')).toEqual([70]);
    expect(thresholdsFor(custom, 'codex', 'session')).toEqual([80, 90, 95]);
    expect(thresholdsFor(custom, 'claude', 'weekly')).toEqual([50]);
    expect(thresholdsFor(custom, 'codex', 'weekly')).toEqual([]);
  });
});

describe('parseAlertSettings', () => {
  it('gives the defaults for nothing', () => {
    expect(parseAlertSettings(undefined)).toEqual({ settings: DEFAULT_ALERT_SETTINGS, problems: [] });
  });

  it('reads every key and keeps the defaults for bad ones', () => {
    const { settings: s, problems } = parseAlertSettings({
      enabled: true,
      kinds: { predictive: false, signIn: 'no' },
      thresholds: [95, 75, 75],
      windowThresholds: { 'claude.weekly': [50, 100] },
      quietHours: { start: '22:00', end: '7:30' },
      display: 'sideways',
    });
    expect(s.kinds).toEqual({ threshold: true, depleted: true, reset: true, predictive: false, signIn: true });
    expect(s.thresholds).toEqual([75, 95]);
    expect(s.windowThresholds).toEqual(DEFAULT_ALERT_SETTINGS.windowThresholds);
    expect(s.quietHours).toEqual({ start: '22:00', end: '7:30' });
    expect(s.display).toBe('used');
    expect(problems).toEqual([
      'alerts.kinds.signIn: expected true or false',
      'alerts.windowThresholds: ignored an invalid value',
      'alerts.display: ignored an invalid value',
    ]);
    expect(parseAlertSettings('off')).toEqual({
      settings: DEFAULT_ALERT_SETTINGS,
      problems: ['alerts: not an object; using defaults'],
    });
  });
});
