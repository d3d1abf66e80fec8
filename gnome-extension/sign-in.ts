/**
 * "Sign in with Claude" in the preferences: Headroom's own Claude sign-in (core/oauth.ts) for the GNOME extension.
 * A Soup.Server on 127.0.0.1 serves `http://localhost:<port>/callback` only while a sign-in is running (in the
 * preferences process, never in gnome-shell); the browser is opened on the authorize URL; the answer's `state` must
 * match; the code is exchanged and the tokens go to the keyring item `claude-oauth`, which the extension reads.
 * Randomness comes from /dev/urandom and SHA-256 from GLib.
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import {
  type PkceCrypto,
  type PkceSession,
  type SignInResult,
  authorizeUrl,
  checkCallback,
  completeSignIn,
  createPkceSession,
  oauthEndpoints,
} from '../core/oauth.js';
import type { Ports } from '../core/ports.js';

/** PKCE's randomness (/dev/urandom, the kernel's CSPRNG) and SHA-256 (GLib). */
export const gjsCrypto: PkceCrypto = {
  randomBytes(length) {
    const stream = Gio.File.new_for_path('/dev/urandom').read(null);
    try {
      const data = stream.read_bytes(length, null).get_data();
      if (!data || data.length !== length) throw new Error('short read from /dev/urandom');
      return new Uint8Array(data);
    } finally {
      stream.close(null);
    }
  },
  sha256(data) {
    const hex = GLib.compute_checksum_for_data(GLib.ChecksumType.SHA256, data) ?? '';
    return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
  },
};

/** How long a sign-in waits for the browser, ms. */
export const SIGN_IN_TIMEOUT_MS = 5 * 60 * 1000;

const PAGE_STYLE = 'font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;line-height:1.5';

function respond(message: Soup.ServerMessage, status: number, title: string, text: string): void {
  const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><meta charset="utf-8"><title>Headroom</title><body style="${PAGE_STYLE}"><h1>${escape(title)}</h1><p>${escape(text)}</p>`;
  message.set_status(status, null);
  message.set_response('text/html; charset=utf-8', Soup.MemoryUse.COPY, new TextEncoder().encode(html));
}

/**
 * One sign-in. `start()` listens and returns the authorize URL (to open and to show); `finished` resolves once with
 * the outcome: signed in (with the email), failed, timed out or cancelled. The listener is gone by then.
 */
export class ClaudeSignIn {
  private server: Soup.Server | null = null;
  private timer = 0;
  private settle: (result: SignInResult) => void = () => undefined;
  /** The outcome; never rejects. */
  readonly finished: Promise<SignInResult>;

  constructor(private readonly ports: Ports) {
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  /** Listens on a free loopback port; returns the authorize URL, or null (and settles) when it cannot listen. */
  async start(timeoutMs: number = SIGN_IN_TIMEOUT_MS): Promise<string | null> {
    const session = await createPkceSession(gjsCrypto);
    const server = new Soup.Server({});
    let port = 0;
    try {
      server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
      port = server.get_uris()[0]?.get_port() ?? 0;
    } catch {
      port = 0;
    }
    if (!port) {
      server.disconnect();
      this.settle({ ok: false, message: 'Headroom could not listen on a loopback port for the sign-in.' });
      return null;
    }
    this.server = server;
    const redirectUri = `http://localhost:${port}/callback`;
    server.add_handler('/callback', (_server, message, _path, query) =>
      this.callback(message, query ?? {}, session, redirectUri),
    );
    this.timer = GLib.timeout_add(GLib.PRIORITY_DEFAULT, timeoutMs, () => {
      this.timer = 0;
      const wait = timeoutMs >= 60_000 ? `${Math.round(timeoutMs / 60_000)} min` : `${Math.ceil(timeoutMs / 1000)} s`;
      this.finish({ ok: false, message: `No sign-in arrived within ${wait}.` });
      return GLib.SOURCE_REMOVE;
    });
    return authorizeUrl(oauthEndpoints(this.ports.env), session, redirectUri);
  }

  /** Stops listening and settles as cancelled (nothing is stored). */
  cancel(): void {
    this.finish({ ok: false, message: 'The sign-in was cancelled.' });
  }

  private callback(
    message: Soup.ServerMessage,
    query: Record<string, string>,
    session: PkceSession,
    redirectUri: string,
  ): void {
    if (!this.server) return;
    const checked = checkCallback(query, session.state);
    if (!checked.ok && !query.error) {
      // Not this sign-in's answer: refused, and the sign-in keeps waiting.
      respond(message, 400, 'Sign-in not accepted', checked.message);
      return;
    }
    if (!checked.ok) {
      respond(message, 400, 'Sign-in failed', checked.message);
      this.finish(checked);
      return;
    }
    respond(
      message,
      200,
      'Signed in to Claude',
      "Headroom is saving the sign-in; you can close this tab and return to Headroom's preferences.",
    );
    this.stop();
    void completeSignIn(this.ports, oauthEndpoints(this.ports.env), checked.code, session, redirectUri).then((result) =>
      this.settle(result),
    );
  }

  private finish(result: SignInResult): void {
    this.stop();
    this.settle(result);
  }

  /** Removes the timeout and the listener (after the current answer is sent). */
  private stop(): void {
    if (this.timer) GLib.source_remove(this.timer);
    this.timer = 0;
    const server = this.server;
    this.server = null;
    // Disconnecting inside the handler would cut the answer being sent: do it from the main loop.
    if (server) {
      GLib.timeout_add(GLib.PRIORITY_DEFAULT, 500, () => {
        server.disconnect();
        return GLib.SOURCE_REMOVE;
      });
    }
  }
}
