/**
 * Where an agent's configuration comes from, as Flume's configuration sources: files (`--conf-file` paths or `file:`
 * URIs, FileConfigurationSource: changed when the modification time moves) and http(s) URIs (`--conf-uri`,
 * HttpConfigurationSource: a GET with If-Modified-Since and optional basic auth; 200 is a change, 304 is none).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigFile } from '../config/model.js';
import { FlumeError } from '../core/errors.js';

export const filePathOf = (f: string): string => (f.startsWith('file:') ? fileURLToPath(f) : f);

/** Reads every file; a file that cannot be read is a FLUME_CONFIG_READ error naming it. */
export function readConfigs(files: readonly string[]): ConfigFile[] {
  return files.map((f) => {
    const file = filePathOf(f);
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new FlumeError('FLUME_CONFIG_READ', `cannot read configuration file ${file}: ${why}`);
    }
  });
}

/** Modification times of the files (-1 for a file that cannot be read), for the reload check. */
export function modificationTimes(files: readonly string[]): number[] {
  return files.map((f) => {
    try {
      return statSync(filePathOf(f)).mtimeMs;
    } catch {
      return -1;
    }
  });
}

/** One place the configuration is read from. */
export interface ConfigSource {
  readonly label: string;
  /** The current content (read now for a file; the last fetched content for a URI). */
  read(): Promise<ConfigFile>;
  /** Whether the content changed since the last read (and, for a URI, fetches the new content). */
  changed(): Promise<boolean>;
}

export class FileConfigSource implements ConfigSource {
  readonly label: string;
  private mtime: number;

  constructor(file: string) {
    this.label = file;
    // taken before the file is read, so a change made while the agent starts is still seen by the reload check
    this.mtime = modificationTimes([file])[0]!;
  }

  async read(): Promise<ConfigFile> {
    return readConfigs([this.label])[0]!;
  }

  async changed(): Promise<boolean> {
    const now = modificationTimes([this.label])[0]!;
    if (now === this.mtime) return false;
    this.mtime = now;
    return true;
  }
}

export interface HttpAuth {
  user: string;
  password: string;
}

/** An http(s) URI, as Flume's HttpConfigurationSource (UrlConnectionFactory: basic auth, If-Modified-Since). */
export class HttpConfigSource implements ConfigSource {
  readonly label: string;
  private lastModified: string | undefined;
  private text: string | undefined;
  private readonly auth: HttpAuth | undefined;

  constructor(uri: string, auth?: HttpAuth) {
    this.label = uri;
    this.auth = auth;
  }

  /** GETs the URI; true when new content arrived (200), false when not modified (304) or another status. */
  async fetch(): Promise<boolean> {
    const headers: Record<string, string> = {};
    if (this.auth) headers.authorization = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}`;
    if (this.lastModified) headers['if-modified-since'] = this.lastModified;
    let res: Response;
    try {
      res = await fetch(this.label, { headers, redirect: 'follow', signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new FlumeError('FLUME_CONFIG_READ', `Unable to access ${this.label}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (res.status === 304) return false;
    if (res.status === 404) throw new FlumeError('FLUME_CONFIG_READ', `Unable to locate ${this.label} (HTTP 404)`);
    if (res.status === 401)
      throw new FlumeError('FLUME_CONFIG_READ', `Authorization failed for ${this.label} (HTTP 401): check --conf-user/--conf-password`);
    if (res.status !== 200) return false;
    this.text = await res.text();
    this.lastModified = res.headers.get('last-modified') ?? undefined;
    return true;
  }

  async read(): Promise<ConfigFile> {
    if (this.text === undefined && !(await this.fetch())) {
      throw new FlumeError('FLUME_CONFIG_READ', `no configuration could be read from ${this.label}`);
    }
    return { file: this.label, text: this.text! };
  }

  async changed(): Promise<boolean> {
    return this.fetch();
  }
}

/**
 * Reads every source, merged in order. With a backup directory (Flume's --backup-directory), a successful read is
 * saved as `<dir>/.<agent>.properties`, and when no source can be read the backup is used instead (with a warning).
 */
export async function readAll(
  sources: readonly ConfigSource[],
  backupDir: string | undefined,
  agent: string,
  logger: { warn(o: object, m: string): void },
): Promise<ConfigFile[]> {
  const backup = backupDir ? path.join(backupDir, `.${agent}.properties`) : undefined;
  try {
    const configs = await Promise.all(sources.map((s) => s.read()));
    if (backup) {
      mkdirSync(backupDir!, { recursive: true });
      writeFileSync(backup, `# Backup created at ${new Date().toISOString()}\n${configs.map((c) => c.text).join('\n')}`);
    }
    return configs;
  } catch (err) {
    if (!backup || !existsSync(backup)) throw err;
    logger.warn({ err: err instanceof Error ? err.message : String(err), backup }, 'Unable to access primary configuration. Trying backup');
    return [{ file: backup, text: readFileSync(backup, 'utf8') }];
  }
}
