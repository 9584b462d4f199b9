/**
 * Hadoop's client configuration as Flume's HDFS sink sees it (Flume takes the cluster from the core-site.xml and
 * hdfs-site.xml on its class path): read from `$HADOOP_CONF_DIR`, else `$HADOOP_HOME/etc/hadoop`. What the sink uses:
 *  - `fs.defaultFS` (old name `fs.default.name`) for an hdfs.path without scheme or namenode; a relative path resolves
 *    against the user's home directory `/user/<user>` on HDFS (the process directory on the local filesystem), as
 *    Hadoop's FileSystem working directory does;
 *  - `dfs.namenode.http-address` / `dfs.namenode.https-address` (with `dfs.http.policy` = HTTPS_ONLY: https): the
 *    NameNode's WebHDFS address for `hdfs://namenode:rpcPort/p`;
 *  - NameNode HA: `dfs.nameservices`, `dfs.ha.namenodes.<ns>`, `dfs.namenode.http(s)-address.<ns>.<nn>` (else the host
 *    of `dfs.namenode.rpc-address.<ns>.<nn>` on the default HTTP port): `hdfs://<ns>/p` is written through every
 *    NameNode of the nameservice in turn (see failover.ts).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FlumeError } from '../../../core/errors.js';
import { DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT, LOCAL_FS, normalizeAddress, resolveHdfsPath } from './webhdfs.js';

/** The properties of the Hadoop configuration files, later files overriding earlier ones (unless marked final). */
export class HadoopConf {
  readonly props = new Map<string, string>();
  private readonly finals = new Set<string>();
  /** The files read, in order. */
  readonly files: string[] = [];

  /** Adds one file's properties (Hadoop's Configuration.addResource). */
  add(entries: readonly XmlProperty[], file?: string): this {
    for (const e of entries) {
      if (this.finals.has(e.name)) continue;
      this.props.set(e.name, e.value);
      if (e.final) this.finals.add(e.name);
    }
    if (file) this.files.push(file);
    return this;
  }

  /** A property with Hadoop's variable expansion (`${other.key}`, `${env.NAME}`, `${user.name}`), trimmed. */
  get(key: string): string | undefined {
    const v = this.props.get(key);
    return v === undefined ? undefined : this.expand(v, 0).trim();
  }

  private expand(v: string, depth: number): string {
    if (depth > 20) return v; // Hadoop's MAX_SUBST
    return v.replace(/\$\{([^}$\s]+)\}/g, (whole, name: string) => {
      const hit = name.startsWith('env.') ? process.env[name.slice(4)] : (this.props.get(name) ?? systemProperty(name));
      return hit === undefined ? whole : this.expand(hit, depth + 1);
    });
  }
}

function systemProperty(name: string): string | undefined {
  if (name === 'user.name') return os.userInfo().username;
  if (name === 'user.home') return os.homedir();
  if (name === 'java.io.tmpdir') return os.tmpdir();
  return undefined;
}

export interface XmlProperty {
  name: string;
  value: string;
  final: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(s: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(s);
  if (cdata) return cdata[1]!;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e] ?? whole;
  });
}

function element(block: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>|<${tag}(?:\\s[^>]*)?/>`).exec(block);
  return m ? xmlText(m[1] ?? '') : undefined;
}

/** The `<property>` entries of a Hadoop configuration file (`<name>`, `<value>`, `<final>`; comments skipped). */
export function parseHadoopXml(xml: string, file = '<xml>'): XmlProperty[] {
  const text = xml.replace(/<!--[\s\S]*?-->/g, '');
  if (!/<configuration[\s>]/.test(text)) {
    throw new FlumeError('FLUME_HADOOP_CONF', `${file}: not a Hadoop configuration file (no <configuration> element)`);
  }
  const out: XmlProperty[] = [];
  for (const m of text.matchAll(/<property(?:\s[^>]*)?>([\s\S]*?)<\/property>/g)) {
    const name = element(m[1]!, 'name')?.trim();
    if (!name) continue;
    out.push({ name, value: element(m[1]!, 'value') ?? '', final: element(m[1]!, 'final')?.trim() === 'true' });
  }
  return out;
}

/**
 * Where the Hadoop client configuration is looked for, in order: the agent's --conf directory (FLUME_CONF_DIR: Flume's
 * launcher puts it first on the class path, where Hadoop finds core-site.xml and hdfs-site.xml), then
 * $HADOOP_CONF_DIR, else $HADOOP_HOME/etc/hadoop.
 */
export function hadoopConfDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.FLUME_CONF_DIR) dirs.push(env.FLUME_CONF_DIR);
  if (env.HADOOP_CONF_DIR) dirs.push(env.HADOOP_CONF_DIR);
  else if (env.HADOOP_HOME) dirs.push(path.join(env.HADOOP_HOME, 'etc', 'hadoop'));
  return dirs;
}

/**
 * Adds the first `name` found in `dirs` to `conf` (as a class path lookup finds the first resource of a name); a file
 * in none of them is skipped, as Hadoop does. Returns whether one was found.
 */
export function addFirstSiteFile(conf: HadoopConf, dirs: readonly string[], name: string): boolean {
  for (const dir of dirs) {
    const file = path.join(dir, name);
    let xml: string;
    try {
      xml = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new FlumeError('FLUME_HADOOP_CONF', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    conf.add(parseHadoopXml(xml, file), file);
    return true;
  }
  return false;
}

/** Reads core-site.xml then hdfs-site.xml, each from the first of `dirs` that has it. */
export function loadHadoopConf(dirs: string | readonly string[] | undefined): HadoopConf {
  const conf = new HadoopConf();
  const list = dirs === undefined ? [] : typeof dirs === 'string' ? [dirs] : dirs;
  for (const name of ['core-site.xml', 'hdfs-site.xml']) addFirstSiteFile(conf, list, name);
  return conf;
}

/** Where an hdfs.path goes: the WebHDFS base URLs (several for an HA nameservice; `file://` for local) and the path. */
export interface HdfsTarget {
  baseUrls: string[];
  path: string;
}

const URI = /^([a-zA-Z][\w+.-]*):\/\/([^/]*)(\/.*)?$/;

/**
 * Makes `hdfsPath` a full URI as Hadoop's Path.makeQualified does: without a scheme it is on fs.defaultFS (default
 * file:///), and a relative path is under the working directory: /user/<user> on HDFS, the process directory locally.
 * `hdfs:///p` takes fs.defaultFS's namenode.
 */
export function qualifyPath(hdfsPath: string, conf: HadoopConf, user: string, cwd = process.cwd()): string {
  const dm = URI.exec(conf.get('fs.defaultFS') ?? conf.get('fs.default.name') ?? 'file:///');
  const m = URI.exec(hdfsPath);
  if (m) {
    if (m[2] === '' && dm && m[1]!.toLowerCase() === dm[1]!.toLowerCase()) return `${dm[1]}://${dm[2]}${m[3] ?? '/'}`;
    return hdfsPath;
  }
  if (/^[a-zA-Z][\w+.-]*:/.test(hdfsPath) && !hdfsPath.startsWith('/')) return hdfsPath; // e.g. "hdfs:/p": left to the checks
  const local = !dm || dm[1]!.toLowerCase() === 'file';
  const abs = hdfsPath.startsWith('/') ? hdfsPath : local ? path.posix.join(cwd, hdfsPath) : `/user/${user}/${hdfsPath}`;
  if (!dm) return abs;
  return `${dm[1]}://${dm[2]}${abs}`;
}

/** The nameservices the configuration declares (dfs.nameservices, and any with dfs.ha.namenodes.<ns>). */
function isNameservice(conf: HadoopConf, name: string): boolean {
  const listed = (conf.get('dfs.nameservices') ?? '').split(',').map((s) => s.trim());
  return listed.includes(name) || conf.get(`dfs.ha.namenodes.${name}`) !== undefined;
}

const httpsOnly = (conf: HadoopConf): boolean => (conf.get('dfs.http.policy') ?? 'HTTP_ONLY').toUpperCase() === 'HTTPS_ONLY';

/** `host:port` of a NameNode's HTTP server → base URL; 0.0.0.0 (listen on all) is reached as `fallbackHost`. */
function httpUrl(address: string, https: boolean, fallbackHost: string): string {
  const [host, port] = [address.replace(/:\d+$/, ''), /:(\d+)$/.exec(address)?.[1]];
  const h = host === '0.0.0.0' || host === '' ? fallbackHost : host;
  return `${https ? 'https' : 'http'}://${h}:${port ?? (https ? DEFAULT_HTTPS_PORT : DEFAULT_HTTP_PORT)}`;
}

/** The WebHDFS base URL of each NameNode of nameservice `ns` (HA: in dfs.ha.namenodes.<ns> order). */
export function nameserviceUrls(conf: HadoopConf, ns: string, https = httpsOnly(conf)): string[] {
  const key = https ? 'dfs.namenode.https-address' : 'dfs.namenode.http-address';
  const nns = (conf.get(`dfs.ha.namenodes.${ns}`) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s);
  const ids = nns.length > 0 ? nns.map((nn) => `${ns}.${nn}`) : [ns];
  const urls: string[] = [];
  for (const id of ids) {
    const http = conf.get(`${key}.${id}`);
    const rpcHost = conf.get(`dfs.namenode.rpc-address.${id}`)?.replace(/:\d+$/, '');
    if (http) urls.push(httpUrl(http, https, rpcHost ?? '127.0.0.1'));
    else if (rpcHost) urls.push(httpUrl(rpcHost, https, rpcHost));
  }
  if (urls.length === 0) {
    throw new FlumeError(
      'FLUME_HADOOP_CONF',
      `nameservice ${ns}: no NameNode address in the Hadoop configuration (set ${key}.${ids[0]} or dfs.namenode.rpc-address.${ids[0]})`,
    );
  }
  return urls;
}

/**
 * Where `hdfsPath` is written: hdfs.webhdfs.address (flume-ts) when set, else from the Hadoop configuration (an HA or
 * federated nameservice, dfs.namenode.http(s)-address for a NameNode host), else the defaults of resolveHdfsPath.
 */
export function resolveTarget(hdfsPath: string, o: { conf: HadoopConf; user: string; address?: string; cwd?: string }): HdfsTarget {
  if (o.address) {
    // the flume-ts override: a path without scheme is on that WebHDFS (relative: under /user/<user>)
    const p = URI.test(hdfsPath) || hdfsPath.startsWith('/') ? hdfsPath : `/user/${o.user}/${hdfsPath}`;
    const loc = resolveHdfsPath(p, o.address);
    return { baseUrls: [loc.baseUrl], path: loc.path };
  }
  const full = qualifyPath(hdfsPath, o.conf, o.user, o.cwd);
  const m = URI.exec(full);
  const scheme = m?.[1]?.toLowerCase();
  const authority = m?.[2] ?? '';
  if ((scheme === 'hdfs' || scheme === 'webhdfs' || scheme === 'swebhdfs') && isNameservice(o.conf, authority)) {
    return { baseUrls: nameserviceUrls(o.conf, authority, scheme === 'swebhdfs' || undefined), path: m?.[3] ?? '/' };
  }
  const loc = resolveHdfsPath(full);
  if (scheme === 'hdfs' && loc.baseUrl !== LOCAL_FS) {
    const https = httpsOnly(o.conf);
    const http = o.conf.get(https ? 'dfs.namenode.https-address' : 'dfs.namenode.http-address');
    const host = authority.replace(/:\d+$/, '');
    if (http && sameNameNode(o.conf, http, host)) return { baseUrls: [normalizeAddress(httpUrl(http, https, host))], path: loc.path };
  }
  return { baseUrls: [loc.baseUrl], path: loc.path };
}

/** Whether the configured NameNode HTTP address belongs to the NameNode `host` of the path. */
function sameNameNode(conf: HadoopConf, httpAddress: string, host: string): boolean {
  const httpHost = httpAddress.replace(/:\d+$/, '');
  if (httpHost === host) return true;
  const rpcHost = (conf.get('dfs.namenode.rpc-address') ?? URI.exec(`${conf.get('fs.defaultFS') ?? ''}/`)?.[2] ?? '').replace(/:\d+$/, '');
  return (httpHost === '0.0.0.0' || httpHost === '') && (rpcHost === host || rpcHost === '');
}
