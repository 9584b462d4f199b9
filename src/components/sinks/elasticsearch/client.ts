/**
 * A minimal Elasticsearch HTTP client for the sink: POST /_bulk with an NDJSON body, GET for the start-up checks.
 * node:http(s) with a keep-alive agent per host; hosts are used round-robin and a connection error moves on to the
 * next host (Flume's REST client did the same with its RoundRobinList). Nothing here retries on its own: the sink
 * rolls its transaction back and the runner backs off.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { FlumeError } from '../../../core/errors.js';

export interface EsClientOptions {
  /** Base URLs (`http://127.0.0.1:9200`, `https://es:9243/prefix`). */
  hosts: string[];
  username?: string;
  password?: string;
  apiKey?: string;
  /** PEM file with the CA(s) to trust for https hosts. */
  caFile?: string;
  requestTimeoutMs: number;
}

export interface EsResponse {
  status: number;
  body: string;
  host: string;
}

/** The request did not get a response (connection refused/reset, timeout): retriable. */
export class EsConnectionError extends FlumeError {
  constructor(message: string, cause?: unknown) {
    super('FLUME_ES_CONNECTION', message, { cause, retriable: true });
  }
}

export const DEFAULT_TRANSPORT_PORT = 9300;
export const DEFAULT_HTTP_PORT = 9200;

export interface HostMapping {
  hosts: string[];
  /** Human lines about transport ports mapped to HTTP (logged at info when the sink starts). */
  notes: string[];
  /** user:password found in a URL (removed from the host so that it is never logged). */
  username?: string;
  password?: string;
}

/**
 * hostNames (comma-separated, whitespace removed as Flume does) to base URLs. `http(s)://` URLs are taken as they
 * are. With the transport client (Flume's default) `host` and `host:9300` mean the transport port, which Elasticsearch
 * 8 no longer serves to clients: they become `http://host:9200`; any other port is taken as the HTTP port. With
 * `client = rest`, Flume prefixed `http://` and nothing else; so do we.
 */
export function mapHostNames(hostNames: string, client: 'transport' | 'rest'): HostMapping {
  const notes: string[] = [];
  const hosts: string[] = [];
  const out: HostMapping = { hosts, notes };
  for (const h of hostNames
    .replace(/\s+/g, '')
    .split(',')
    .filter((x) => x !== '')) {
    if (/^https?:\/\//i.test(h)) {
      let u: URL;
      try {
        u = new URL(h);
      } catch {
        throw new FlumeError('FLUME_ES_HOST', `hostNames entry "${h}" is not a valid URL`);
      }
      if (u.username !== '') {
        out.username = decodeURIComponent(u.username);
        out.password = decodeURIComponent(u.password);
      }
      hosts.push(`${u.protocol}//${u.host}${u.pathname}`.replace(/\/+$/, ''));
      continue;
    }
    if (client === 'rest') {
      hosts.push(`http://${h}`);
      continue;
    }
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
    if (!m) throw new FlumeError('FLUME_ES_HOST', `hostNames entry "${h}" is not host, host:port or an http(s):// URL`);
    const port = m[2] === undefined ? DEFAULT_TRANSPORT_PORT : Number(m[2]);
    if (port === DEFAULT_TRANSPORT_PORT) {
      hosts.push(`http://${m[1]}:${DEFAULT_HTTP_PORT}`);
      notes.push(
        `${h} is Elasticsearch's transport port (Flume's transport client); ` + `using the HTTP port: http://${m[1]}:${DEFAULT_HTTP_PORT}`,
      );
    } else {
      hosts.push(`http://${m[1]}:${port}`);
    }
  }
  return out;
}

export class EsClient {
  private next = 0;
  private readonly agents = new Map<string, http.Agent>();
  private readonly auth?: string;
  private readonly ca?: Buffer;

  constructor(private readonly o: EsClientOptions) {
    if (o.apiKey) this.auth = `ApiKey ${o.apiKey}`;
    else if (o.username !== undefined) this.auth = `Basic ${Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64')}`;
    if (o.caFile) {
      try {
        this.ca = readFileSync(o.caFile);
      } catch (err) {
        const why = (err as Error).message;
        throw new FlumeError('FLUME_ES_TLS', `Cannot read tls.caFile ${o.caFile}: ${why}. Give a readable PEM file.`, { cause: err });
      }
    }
  }

  get hosts(): readonly string[] {
    return this.o.hosts;
  }

  /** One request; on a connection error the next host is tried, each host at most once. */
  async request(method: string, path: string, body?: string, contentType = 'application/x-ndjson'): Promise<EsResponse> {
    let lastErr: unknown;
    for (let i = 0; i < this.o.hosts.length; i++) {
      const host = this.o.hosts[this.next]!;
      this.next = (this.next + 1) % this.o.hosts.length;
      try {
        return await this.once(host, method, path, body, contentType);
      } catch (err) {
        lastErr = err;
      }
    }
    throw lastErr;
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  private agent(base: URL): http.Agent {
    let a = this.agents.get(base.origin);
    if (!a) {
      a =
        base.protocol === 'https:'
          ? new https.Agent({ keepAlive: true, maxSockets: 4, ca: this.ca })
          : new http.Agent({ keepAlive: true, maxSockets: 4 });
      this.agents.set(base.origin, a);
    }
    return a;
  }

  private once(host: string, method: string, path: string, body: string | undefined, contentType: string): Promise<EsResponse> {
    const base = new URL(host);
    const mod = base.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    if (this.auth) headers.authorization = this.auth;
    const where = `${base.origin}${base.pathname.replace(/\/$/, '')}${path}`;
    return new Promise<EsResponse>((resolve, reject) => {
      const req = mod.request(where, { method, headers, agent: this.agent(base) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), host }));
        res.on('error', (err) => reject(new EsConnectionError(`${method} ${where}: response failed: ${err.message}`, err)));
      });
      req.setTimeout(this.o.requestTimeoutMs, () => {
        req.destroy(new FlumeError('FLUME_ES_TIMEOUT', `no response within ${this.o.requestTimeoutMs} ms (requestTimeout)`));
      });
      req.on('error', (err) => reject(new EsConnectionError(`${method} ${where}: ${err.message}`, err)));
      req.end(body);
    });
  }
}
