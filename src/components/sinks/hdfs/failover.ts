/**
 * NameNode HA for WebHDFS: one client per NameNode of a nameservice; every call goes to the NameNode that last
 * answered as active. When it answers with a StandbyException (or cannot be connected to), the call is sent to the next
 * NameNode, which is then remembered until it fails in turn, as Hadoop's ConfiguredFailoverProxyProvider does. A call
 * whose bytes may already be in a file (`uncertain`) is never repeated: it fails, and the sink rolls back as usual.
 */
import type { Logger } from '../../../core/logging.js';
import { errorMessage } from '../../../core/errors.js';
import { WebHdfsError, type HdfsClient } from './webhdfs.js';

/** Node's errors for a connection that never reached the NameNode (safe to send elsewhere). */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether `err` means "this NameNode is not the active one, nothing was done": try the next one. */
export function isFailover(err: unknown): boolean {
  if (!(err instanceof WebHdfsError)) return false;
  // a standby NameNode refused the operation (also when the DataNode of a CREATE/APPEND asked it): nothing was done
  if (err.exception?.endsWith('StandbyException')) return true;
  if (err.uncertain) return false;
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  return err.status === undefined && code !== undefined && NOT_CONNECTED.has(code);
}

export class FailoverClient implements HdfsClient {
  private active = 0;

  constructor(
    private readonly clients: readonly HdfsClient[],
    private readonly names: readonly string[],
    private readonly logger?: Logger,
  ) {}

  /** The base URL of the NameNode calls go to now (tests, logs). */
  get activeName(): string {
    return this.names[this.active]!;
  }

  private async call<T>(fn: (c: HdfsClient) => Promise<T>): Promise<T> {
    let lastErr: unknown;
    for (let tried = 0; tried < this.clients.length; tried++) {
      const i = (this.active + tried) % this.clients.length;
      try {
        const r = await fn(this.clients[i]!);
        if (i !== this.active) {
          this.logger?.info({ from: this.names[this.active], to: this.names[i] }, 'WebHDFS failed over to another NameNode');
          this.active = i;
        }
        return r;
      } catch (err) {
        if (!isFailover(err)) throw err;
        this.logger?.debug({ namenode: this.names[i], err: errorMessage(err) }, 'NameNode is not active; trying the next');
        lastErr = err;
      }
    }
    throw lastErr;
  }

  create(...a: Parameters<HdfsClient['create']>) {
    return this.call((c) => c.create(...a));
  }
  append(...a: Parameters<HdfsClient['append']>) {
    return this.call((c) => c.append(...a));
  }
  mkdirs(...a: Parameters<HdfsClient['mkdirs']>) {
    return this.call((c) => c.mkdirs(...a));
  }
  rename(...a: Parameters<HdfsClient['rename']>) {
    return this.call((c) => c.rename(...a));
  }
  getFileStatus(...a: Parameters<HdfsClient['getFileStatus']>) {
    return this.call((c) => c.getFileStatus(...a));
  }
  listStatus(...a: Parameters<HdfsClient['listStatus']>) {
    return this.call((c) => c.listStatus(...a));
  }
  delete(...a: Parameters<HdfsClient['delete']>) {
    return this.call((c) => c.delete(...a));
  }
  truncate(...a: Parameters<HdfsClient['truncate']>) {
    return this.call((c) => c.truncate(...a));
  }
  open(...a: Parameters<HdfsClient['open']>) {
    return this.call((c) => c.open(...a));
  }
  isOpenForWrite(...a: Parameters<HdfsClient['isOpenForWrite']>) {
    return this.call((c) => c.isOpenForWrite(...a));
  }
  destroy(): void {
    for (const c of this.clients) c.destroy();
  }
}
