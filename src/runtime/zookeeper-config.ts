/**
 * The configuration from ZooKeeper, as Flume's Static/PollingZooKeeperConfigurationProvider: the data of the znode
 * `<basePath>/<agentName>` (basePath default `/flume`) is a .properties text in UTF-8; a missing or empty node is an
 * empty configuration. With reloading on, the node is watched (Flume: Curator's NodeCache) and a change is applied at the
 * next check (the supervisor checks ZooKeeper sources every second: a flag set by the watch, no request).
 *
 * Client: node-zookeeper-client (pure JavaScript, the most used Node ZooKeeper client; the `zookeeper` package binds
 * the C client and needs a native build). Loaded lazily: only agents started with -z pay for it.
 */
import type { ConfigFile } from '../config/model.js';
import { FlumeError } from '../core/errors.js';
import type { ConfigSource } from './config-files.js';

interface ZkStat {
  version: number;
}
type ZkCallback = (err: { getCode(): number; getName(): string } | null, data?: Buffer, stat?: ZkStat) => void;
interface ZkClient {
  connect(): void;
  close(): void;
  once(event: 'connected', fn: () => void): void;
  on(event: string, fn: (...a: unknown[]) => void): void;
  getData(path: string, watcher: (e: unknown) => void, cb: ZkCallback): void;
  exists(path: string, watcher: (e: unknown) => void, cb: (err: unknown, stat?: ZkStat) => void): void;
}
interface ZkModule {
  createClient(conn: string, opts: { sessionTimeout: number; spinDelay: number; retries: number }): ZkClient;
}

const NO_NODE = -101;
const CONNECT_TIMEOUT_MS = 30_000;

export class ZooKeeperConfigSource implements ConfigSource {
  readonly label: string;
  private readonly path: string;
  private client?: ZkClient;
  private data?: Buffer;
  private dirty = false;

  constructor(
    private readonly connect: string,
    basePath: string | undefined,
    agent: string,
  ) {
    const base = basePath || '/flume';
    this.path = `${base.replace(/\/+$/, '')}/${agent}`;
    this.label = `zookeeper://${connect}${this.path}`;
  }

  private async open(): Promise<ZkClient> {
    if (this.client) return this.client;
    const mod = (await import('node-zookeeper-client')) as unknown as { default?: ZkModule } & ZkModule;
    const zk = mod.default ?? mod;
    const client = zk.createClient(this.connect, { sessionTimeout: 30_000, spinDelay: 1000, retries: 1_000_000 });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        client.close();
        reject(new FlumeError('FLUME_CONFIG_READ', `cannot connect to ZooKeeper at ${this.connect} within ${CONNECT_TIMEOUT_MS / 1000} s`));
      }, CONNECT_TIMEOUT_MS);
      client.once('connected', () => {
        clearTimeout(t);
        resolve();
      });
      client.connect();
    });
    this.client = client;
    return client;
  }

  /** Reads the node and leaves a watch on it (or on its creation when it does not exist). */
  private async fetch(): Promise<void> {
    const client = await this.open();
    const watch = () => {
      this.dirty = true;
    };
    this.data = await new Promise<Buffer>((resolve, reject) => {
      client.getData(this.path, watch, (err, data) => {
        if (!err) return resolve(data ?? Buffer.alloc(0));
        if (err.getCode() !== NO_NODE) {
          return reject(new FlumeError('FLUME_CONFIG_READ', `cannot read ${this.label}: ${err.getName()}`));
        }
        client.exists(this.path, watch, () => resolve(Buffer.alloc(0)));
      });
    });
  }

  async read(): Promise<ConfigFile> {
    if (this.data === undefined) await this.fetch();
    return { file: this.label, text: this.data!.toString('utf8') };
  }

  async changed(): Promise<boolean> {
    if (!this.dirty) return false;
    this.dirty = false;
    const before = this.data;
    await this.fetch();
    return before === undefined || !before.equals(this.data!);
  }

  close(): void {
    this.client?.close();
  }
}
