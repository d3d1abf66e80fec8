/**
 * Headroom's notifications in GNOME Shell's message tray (the GNOME 46+ API). The tray destroys a Source when its
 * last notification goes, so the Source is created on demand and forgotten when it is destroyed.
 */
import Gio from 'gi://Gio';
import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import * as MessageTray from 'resource:///org/gnome/shell/ui/messageTray.js';
import { gettext as _ } from 'resource:///org/gnome/shell/extensions/extension.js';
import type { Alert } from '../core/alerts.js';
import { connectObject } from './signals.js';

/** Shows alerts as notifications. Create in enable(); destroy() in disable() removes them all. */
export class Notifier {
  private source: MessageTray.Source | null = null;

  constructor(
    private readonly iconPath: string,
    private readonly openUri: (uri: string) => void,
  ) {}

  /** Shows one alert, with an action that opens the provider's usage page. */
  notify(alert: Alert): void {
    const source = this.ensureSource();
    const notification = new MessageTray.Notification({
      source,
      title: alert.title,
      body: alert.body,
      urgency: alert.urgency === 'high' ? MessageTray.Urgency.HIGH : MessageTray.Urgency.NORMAL,
    } as ConstructorParameters<typeof MessageTray.Notification>[0]);
    notification.addAction(_('Open usage page'), () => this.openUri(alert.url));
    source.addNotification(notification);
  }

  private ensureSource(): MessageTray.Source {
    if (this.source) return this.source;
    const source = new MessageTray.Source({
      title: 'Headroom',
      // Two copies of Gio's types meet here (@girs versions); the object is the same.
      icon: Gio.icon_new_for_string(this.iconPath) as unknown as MessageTray.Source['icon'],
    });
    connectObject(
      source,
      'destroy',
      () => {
        if (this.source === source) this.source = null;
      },
      this,
    );
    Main.messageTray.add(source);
    this.source = source;
    return source;
  }

  destroy(): void {
    this.source?.destroy(MessageTray.NotificationDestroyedReason.SOURCE_CLOSED);
    this.source = null;
  }
}
