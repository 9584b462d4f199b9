/**
 * A small WebHDFS REST client on node:http(s) (Hadoop's WebHDFS REST API, also served by HttpFS).
 *
 * CREATE and APPEND are two steps, followed by hand: the NameNode (or HttpFS) answers the first request, sent without
 * a body, with `307 Location: <DataNode URL>`; the bytes go to that URL (`Content-Type: application/octet-stream`).
 * Node 20's fetch cannot follow a 307 with a binary body, hence node:http. HttpFS redirects to itself with
 * `data=true`, so the same two steps work there. Simple authentication: `user.name=<user>`.
 *
 * Every request has a timeout (no answer for `timeoutMs` → the socket is destroyed and the call fails).
 */
import http from 'node:http';
import https from 'node:https';
import { FlumeError } from '../../../core/errors.js';
import type { WebHdfsAuth } from './spnego.js';

export interface WebHdfsOptions {
  /** `http://host:port` or `https://host:port` of the NameNode's HTTP server (or HttpFS). */
  baseUrl: string;
  /** `user.name` for simple authentication; omitted when undefined. */
  user?: string;
  /** Proxy user (`doas`), Flume's hdfs.proxyUser. */
  doAs?: string;
  /** Per-request timeout in ms (Flume's hdfs.callTimeout). */
  timeoutMs?: number;
  /** TLS options for swebhdfs (e.g. `rejectUnauthorized`, `ca`). */
  tls?: https.AgentOptions;
  /** Kerberos (spnego.ts): delegation tokens instead of `user.name` / `doas`. */
  auth?: WebHdfsAuth;
}

export interface FileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  modificationTime: number;
  replication: number;
  owner?: string;
}

/** A failed WebHDFS call. `uncertain` means the bytes may have been (partly) written before the failure. */
export class WebHdfsError extends FlumeError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly exception: string | undefined,
    readonly uncertain: boolean,
    options: { cause?: unknown } = {},
  ) {
    super('FLUME_WEBHDFS', message, { cause: options.cause, retriable: true });
  }
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** What the sink needs of a filesystem: WebHDFS, or the local one for file:// paths (localfs.ts). */
export type HdfsClient = Pick<
  WebHdfsClient,
  'create' | 'append' | 'mkdirs' | 'rename' | 'getFileStatus' | 'listStatus' | 'delete' | 'truncate' | 'open' | 'isOpenForWrite' | 'destroy'
>;

export class WebHdfsClient {
  readonly base: URL;
  readonly user: string | undefined;
  readonly doAs: string | undefined;
  readonly timeoutMs: number;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly auth: WebHdfsAuth | undefined;

  constructor(opts: WebHdfsOptions) {
    this.auth = opts.auth;
    this.base = new URL(opts.baseUrl);
    this.user = opts.user;
    this.doAs = opts.doAs;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32, ...opts.tls });
  }

  /** Closes idle keep-alive sockets. */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private url(path: string, op: string, params: Record<string, string | number | boolean | undefined> = {}): URL {
    if (!path.startsWith('/')) throw new FlumeError('FLUME_WEBHDFS', `WebHDFS paths must be absolute, got "${path}"`);
    const encoded = path
      .split('/')
      .map((s) => encodeURIComponent(s))
      .join('/');
    const u = new URL(`/webhdfs/v1${encoded}`, this.base);
    u.searchParams.set('op', op);
    if (this.user !== undefined) u.searchParams.set('user.name', this.user);
    if (this.doAs !== undefined) u.searchParams.set('doas', this.doAs);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** One request; with Kerberos, credentials added (and refreshed once when refused). */
  private async request(method: string, url: URL, body?: Buffer, what = method): Promise<Reply> {
    if (!this.auth) return this.send(method, url, body, what);
    await this.auth.prepare(url);
    const r = await this.send(method, url, body, what);
    if (!this.auth.refused(r.status, r.body)) return r;
    await this.auth.prepare(url);
    return this.send(method, url, body, what);
  }

  private send(method: string, url: URL, body: Buffer | undefined, what: string): Promise<Reply> {
    const mod = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    return new Promise<Reply>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { 'content-length': body ? body.length : 0 };
      if (body) headers['content-type'] = 'application/octet-stream';
      const req = mod.request(url, { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const timer = setTimeout(
        () => req.destroy(new FlumeError('FLUME_WEBHDFS', `no answer within ${this.timeoutMs} ms (hdfs.callTimeout)`)),
        this.timeoutMs,
      );
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(body);
    }).catch((e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      throw new WebHdfsError(`WebHDFS ${what} ${url.host}${url.pathname}: ${msg}`, undefined, undefined, false, { cause: e });
    });
  }

  private fail(r: Reply, what: string, url: URL, uncertain = false): never {
    let exception: string | undefined;
    let message = r.body.toString('utf8').slice(0, 500).trim();
    try {
      const j = JSON.parse(r.body.toString('utf8')) as { RemoteException?: { exception?: string; message?: string } };
      if (j.RemoteException) {
        exception = j.RemoteException.exception;
        message = `${exception ?? 'RemoteException'}: ${j.RemoteException.message ?? ''}`;
      }
    } catch {
      /* not JSON */
    }
    throw new WebHdfsError(
      `WebHDFS ${what} ${url.pathname.replace(/^\/webhdfs\/v1/, '')} failed: HTTP ${r.status}${message ? ` ${message}` : ''}`,
      r.status,
      exception,
      uncertain,
    );
  }

  private json<T>(r: Reply, what: string, url: URL): T {
    try {
      return JSON.parse(r.body.toString('utf8')) as T;
    } catch {
      return this.fail(r, what, url);
    }
  }

  /** Two-step write: the NameNode's 307 to a DataNode, then the bytes there. */
  private async twoStep(method: 'PUT' | 'POST', url: URL, data: Buffer, what: string, ok: number[]): Promise<void> {
    const first = await this.request(method, url, undefined, what);
    if (first.status !== 307 && first.status !== 302 && first.status !== 301) {
      if (ok.includes(first.status)) return; // a server that takes the (empty) data at once
      this.fail(first, what, url);
    }
    const location = first.headers.location;
    if (!location) throw new WebHdfsError(`WebHDFS ${what}: redirect without a Location header`, first.status, undefined, false);
    const target = new URL(location, url);
    let second: Reply;
    try {
      second = await this.request(method, target, data, what);
    } catch (e) {
      // the connection failed while or after sending the bytes: they may be (partly) in the file
      const err = e as WebHdfsError;
      throw new WebHdfsError(err.message, undefined, undefined, true, { cause: e });
    }
    if (!ok.includes(second.status)) this.fail(second, what, target, true);
  }

  /** CREATE a file with `data` (overwrite=false unless asked). */
  async create(path: string, data: Buffer, opts: { overwrite?: boolean; permission?: string; replication?: number } = {}): Promise<void> {
    const url = this.url(path, 'CREATE', {
      overwrite: opts.overwrite ?? false,
      permission: opts.permission,
      replication: opts.replication,
    });
    await this.twoStep('PUT', url, data, 'CREATE', [200, 201]);
  }

  /** APPEND `data` to an existing file. Success means the DataNode pipeline acknowledged and closed the bytes. */
  async append(path: string, data: Buffer): Promise<void> {
    await this.twoStep('POST', this.url(path, 'APPEND'), data, 'APPEND', [200]);
  }

  async mkdirs(path: string): Promise<boolean> {
    const url = this.url(path, 'MKDIRS');
    const r = await this.request('PUT', url, undefined, 'MKDIRS');
    if (r.status !== 200) this.fail(r, 'MKDIRS', url);
    return this.json<{ boolean: boolean }>(r, 'MKDIRS', url).boolean;
  }

  /** RENAME; false when HDFS refused (source missing, destination exists). */
  async rename(src: string, dst: string): Promise<boolean> {
    const url = this.url(src, 'RENAME', { destination: dst });
    const r = await this.request('PUT', url, undefined, 'RENAME');
    if (r.status !== 200) this.fail(r, 'RENAME', url);
    return this.json<{ boolean: boolean }>(r, 'RENAME', url).boolean;
  }

  /** GETFILESTATUS; undefined when the path does not exist. */
  async getFileStatus(path: string): Promise<FileStatus | undefined> {
    const url = this.url(path, 'GETFILESTATUS');
    const r = await this.request('GET', url, undefined, 'GETFILESTATUS');
    if (r.status === 404) return undefined;
    if (r.status !== 200) this.fail(r, 'GETFILESTATUS', url);
    return this.json<{ FileStatus: FileStatus }>(r, 'GETFILESTATUS', url).FileStatus;
  }

  /** LISTSTATUS; [] when the directory does not exist. */
  async listStatus(path: string): Promise<FileStatus[]> {
    const url = this.url(path, 'LISTSTATUS');
    const r = await this.request('GET', url, undefined, 'LISTSTATUS');
    if (r.status === 404) return [];
    if (r.status !== 200) this.fail(r, 'LISTSTATUS', url);
    return this.json<{ FileStatuses: { FileStatus: FileStatus[] } }>(r, 'LISTSTATUS', url).FileStatuses.FileStatus;
  }

  async delete(path: string, recursive = false): Promise<boolean> {
    const url = this.url(path, 'DELETE', { recursive });
    const r = await this.request('DELETE', url, undefined, 'DELETE');
    if (r.status !== 200) this.fail(r, 'DELETE', url);
    return this.json<{ boolean: boolean }>(r, 'DELETE', url).boolean;
  }

  /** TRUNCATE to `newLength`; true when done at once, false when block recovery is still running. */
  async truncate(path: string, newLength: number): Promise<boolean> {
    const url = this.url(path, 'TRUNCATE', { newlength: newLength });
    const r = await this.request('POST', url, undefined, 'TRUNCATE');
    if (r.status !== 200) this.fail(r, 'TRUNCATE', url);
    return this.json<{ boolean: boolean }>(r, 'TRUNCATE', url).boolean;
  }

  /**
   * Whether the file is still open for write on the NameNode (its last block under construction), as when the
   * DataNode that wrote it died mid-request. Such a file cannot be read until the NameNode recovers its lease.
   * GET_BLOCK_LOCATIONS is the WebHDFS call that tells (`isUnderConstruction`).
   */
  async isOpenForWrite(path: string): Promise<boolean> {
    const url = this.url(path, 'GET_BLOCK_LOCATIONS', { offset: 0, length: 1 });
    const r = await this.request('GET', url, undefined, 'GET_BLOCK_LOCATIONS');
    if (r.status === 404) return false;
    if (r.status !== 200) this.fail(r, 'GET_BLOCK_LOCATIONS', url);
    const j = this.json<{ LocatedBlocks?: { isUnderConstruction?: boolean } | null }>(r, 'GET_BLOCK_LOCATIONS', url);
    return j.LocatedBlocks?.isUnderConstruction === true;
  }

  /** OPEN: the whole file (follows the redirect to a DataNode). */
  async open(path: string): Promise<Buffer> {
    const url = this.url(path, 'OPEN');
    let r = await this.request('GET', url, undefined, 'OPEN');
    if (r.status === 307 || r.status === 302) r = await this.request('GET', new URL(r.headers.location ?? '', url), undefined, 'OPEN');
    if (r.status !== 200) this.fail(r, 'OPEN', url);
    return r.body;
  }
}

export interface HdfsLocation {
  /** `http(s)://host:port` of WebHDFS. */
  baseUrl: string;
  /** The absolute path inside HDFS. */
  path: string;
}

/** The baseUrl of local-filesystem paths (file:///p, or /p without hdfs.webhdfs.address). */
export const LOCAL_FS = 'file://';

/** Default NameNode HTTP port (dfs.namenode.http-address) and HTTPS port, Hadoop 3. */
export const DEFAULT_HTTP_PORT = 9870;
export const DEFAULT_HTTPS_PORT = 9871;

/**
 * Maps an hdfs.path to WebHDFS: `hdfs://host[:rpcPort]/p` → `http://host:9870` (the RPC port is not the HTTP port;
 * `address` overrides), `webhdfs://host[:port]/p` → `http://host:port` (default 9870), `swebhdfs://` → https (9871),
 * `/p` (no scheme, Hadoop's fs.defaultFS) → `address`, which is then required.
 */
export function resolveHdfsPath(hdfsPath: string, address?: string): HdfsLocation {
  const m = /^([a-zA-Z][\w+.-]*):\/\/([^/]*)(\/.*)?$/.exec(hdfsPath);
  const override = address ? normalizeAddress(address) : undefined;
  if (!m) {
    if (!hdfsPath.startsWith('/')) {
      throw new FlumeError('FLUME_HDFS_PATH', `hdfs.path "${hdfsPath}" is neither a URI (hdfs://namenode:8020/path) nor an absolute path`);
    }
    // no scheme: Hadoop's fs.defaultFS, file:/// unless a core-site.xml says otherwise (flume-ts reads none)
    return override ? { baseUrl: override, path: hdfsPath } : { baseUrl: LOCAL_FS, path: hdfsPath };
  }
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  const path = m[3] ?? '/';
  const host = authority.replace(/:\d+$/, '');
  const port = /:(\d+)$/.exec(authority)?.[1];
  switch (scheme) {
    case 'hdfs':
      return { baseUrl: override ?? `http://${host}:${DEFAULT_HTTP_PORT}`, path };
    case 'webhdfs':
      return { baseUrl: override ?? `http://${host}:${port ?? DEFAULT_HTTP_PORT}`, path };
    case 'file':
      if (authority !== '') throw new FlumeError('FLUME_HDFS_PATH', `hdfs.path "${hdfsPath}": a file: URI has no host; write file:///path`);
      return { baseUrl: LOCAL_FS, path };
    case 'swebhdfs':
      return { baseUrl: override ?? `https://${host}:${port ?? DEFAULT_HTTPS_PORT}`, path };
    default:
      throw new FlumeError(
        'FLUME_HDFS_PATH',
        `hdfs.path "${hdfsPath}": scheme ${scheme}:// is not supported; use hdfs://, webhdfs://, swebhdfs:// or file://`,
      );
  }
}

/** `host:port` → `http://host:port`; a URL keeps its scheme; any path part is dropped. */
export function normalizeAddress(address: string): string {
  const a = address.trim();
  const u = new URL(/^[a-zA-Z][\w+.-]*:\/\//.test(a) ? a : `http://${a}`);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new FlumeError('FLUME_HDFS_PATH', `hdfs.webhdfs.address "${address}" must be http://host:port or https://host:port`);
  }
  return `${u.protocol}//${u.host}`;
}
