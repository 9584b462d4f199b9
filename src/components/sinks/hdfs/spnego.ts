/**
 * Kerberos for the WebHDFS client, as Hadoop's WebHdfsFileSystem does it on a secure cluster:
 *  - token operations (GETDELEGATIONTOKEN, RENEWDELEGATIONTOKEN) authenticate with SPNEGO
 *    (`Authorization: Negotiate <token>`) to `HTTP/<canonical NameNode host>`, with `doas=` for hdfs.proxyUser;
 *  - every other request, on the NameNode and on the DataNode it redirects to, carries `delegation=<token>` instead
 *    of `user.name` / `doas` (the token names the user, and the proxy user);
 *  - the token is renewed before it expires (at 3/4 of its current lifetime); when renewal is refused (past its
 *    max-lifetime, or the NameNode lost it) a new one is fetched. A request refused for an invalid or expired token is
 *    sent once more with a fresh token.
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { FlumeError } from '../../../core/errors.js';
import { type KerberosLogin, canonicalHost } from '../../shared/kerberos.js';

/** What the WebHDFS client asks of an authentication layer (webhdfs.ts calls it on its request path). */
export interface WebHdfsAuth {
  /** Adds the credentials to a request URL (NameNode or DataNode). */
  prepare(url: URL): Promise<void>;
  /** True when `status`/`body` say the credentials were refused and a retry with new ones may pass. */
  refused(status: number, body: Buffer): boolean;
}

interface TokenState {
  token: string;
  /** when to renew (ms since epoch) */
  renewAt: number;
}

export class SpnegoAuth implements WebHdfsAuth {
  private state: TokenState | undefined;
  private pending: Promise<TokenState> | undefined;
  private serviceHost: string | undefined;
  private login!: KerberosLogin;

  constructor(
    private readonly base: URL,
    private readonly loginNow: () => Promise<KerberosLogin>,
    private readonly doAs: string | undefined,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async prepare(url: URL): Promise<void> {
    this.login ??= await this.loginNow();
    const s = await this.current();
    url.searchParams.delete('user.name');
    url.searchParams.delete('doas');
    url.searchParams.set('delegation', s.token);
  }

  refused(status: number, body: Buffer): boolean {
    if (status !== 401 && status !== 403) return false;
    const text = body.toString('utf8');
    if (!/InvalidToken|token .*(expired|can't be found)|delegation token|Security enabled but user not authenticated/i.test(text)) {
      return false;
    }
    this.logger.warn({ status, principal: this.login?.principal }, 'WebHDFS refused the delegation token; fetching a new one');
    this.state = undefined;
    return true;
  }

  /** The token to use now: fetched once, renewed when due, fetched again when renewal fails. */
  private async current(): Promise<TokenState> {
    const s = this.state;
    if (s && this.now() < s.renewAt) return s;
    this.pending ??= (s ? this.renew(s).catch((e) => this.refetch(e)) : this.fetch()).finally(() => {
      this.pending = undefined;
    });
    this.state = await this.pending;
    return this.state;
  }

  private async refetch(e: unknown): Promise<TokenState> {
    this.logger.warn(
      { principal: this.login.principal, err: (e as Error).message },
      'renewing the WebHDFS delegation token failed; fetching a new one',
    );
    return this.fetch();
  }

  private async fetch(): Promise<TokenState> {
    const url = this.tokenUrl('GET', 'GETDELEGATIONTOKEN', { renewer: this.login.shortName });
    if (this.doAs !== undefined) url.searchParams.set('doas', this.doAs);
    const r = await this.negotiated('GET', url, 'GETDELEGATIONTOKEN');
    const token = (JSON.parse(r.body.toString('utf8')) as { Token?: { urlString?: string } }).Token?.urlString;
    if (!token) throw this.error('GETDELEGATIONTOKEN', `no token in the answer (HTTP ${r.status})`);
    // the answer holds no expiry: an immediate renewal tells it (and moves it to now + renew-interval)
    const state = await this.renew({ token, renewAt: 0 });
    this.logger.info(
      { principal: this.login.principal, doAs: this.doAs, renewAt: new Date(state.renewAt).toISOString() },
      'got a WebHDFS delegation token',
    );
    return state;
  }

  private async renew(s: TokenState): Promise<TokenState> {
    const url = this.tokenUrl('PUT', 'RENEWDELEGATIONTOKEN', { token: s.token });
    const r = await this.negotiated('PUT', url, 'RENEWDELEGATIONTOKEN');
    const expiry = (JSON.parse(r.body.toString('utf8')) as { long?: number }).long;
    if (typeof expiry !== 'number') throw this.error('RENEWDELEGATIONTOKEN', `no expiry in the answer (HTTP ${r.status})`);
    const t = this.now();
    this.logger.debug({ principal: this.login.principal, expires: new Date(expiry).toISOString() }, 'renewed the WebHDFS delegation token');
    return { token: s.token, renewAt: t + Math.max(0, (expiry - t) * 0.75) };
  }

  private tokenUrl(_method: string, op: string, params: Record<string, string>): URL {
    const u = new URL('/webhdfs/v1/', this.base);
    u.searchParams.set('op', op);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u;
  }

  /** One SPNEGO-authenticated request: Negotiate token, then the server's mutual-authentication token checked. */
  private async negotiated(method: string, url: URL, what: string): Promise<Reply> {
    this.serviceHost ??= await canonicalHost(url.hostname);
    const gss = await this.login.initiator('HTTP', this.serviceHost, 'spnego', `SPNEGO (WebHDFS ${what})`);
    let token: string;
    try {
      token = await gss.step('');
    } catch (e) {
      throw this.login.explain(e, `SPNEGO (WebHDFS ${what})`, `HTTP@${this.serviceHost}`);
    }
    const r = await send(method, url, { authorization: `Negotiate ${token}` }, this.timeoutMs);
    if (r.status !== 200) {
      throw this.error(what, `HTTP ${r.status} ${r.body.toString('utf8').slice(0, 300)}`, r.status === 401 || r.status === 403);
    }
    const answer = /^Negotiate\s+(\S+)/i.exec(String(r.headers['www-authenticate'] ?? ''))?.[1];
    if (answer) {
      try {
        await gss.step(answer);
      } catch (e) {
        throw this.login.explain(e, `SPNEGO mutual authentication (WebHDFS ${what})`, `HTTP@${this.serviceHost}`);
      }
    }
    return r;
  }

  private error(what: string, detail: string, auth = false): FlumeError {
    const hint = auth
      ? `; the NameNode refused ${this.login.principal}: check its SPNEGO principal (HTTP/${this.serviceHost ?? this.base.hostname}), ` +
        `hadoop.proxyuser.${this.login.shortName}.* for doas, and the token renewer`
      : '';
    return new FlumeError('FLUME_KERBEROS', `WebHDFS ${what} at ${this.base.host} as ${this.login.principal} failed: ${detail}${hint}`, {
      retriable: true,
    });
  }
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(method: string, url: URL, headers: http.OutgoingHttpHeaders, timeoutMs: number): Promise<Reply> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<Reply>((resolve, reject) => {
    const req = mod.request(url, { method, headers: { ...headers, 'content-length': 0 } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new FlumeError('FLUME_WEBHDFS', `no answer within ${timeoutMs} ms (hdfs.callTimeout)`)));
    req.on('error', reject);
    req.end();
  }).catch((e: unknown) => {
    if (e instanceof FlumeError) throw e;
    throw new FlumeError('FLUME_WEBHDFS', `WebHDFS ${method} ${url.host}${url.pathname}: ${(e as Error).message}`, {
      cause: e,
      retriable: true,
    });
  });
}
