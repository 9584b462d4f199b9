/**
 * An IRC client connection as Flume's IRCSink opens it with IRClib 1.10: PASS (if any), NICK, USER, JOIN #chan sent
 * at once without waiting for the welcome; PING answered with PONG; lines end with CRLF, encoded as UTF-8.
 */
import net from 'node:net';
import { FlumeError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logging.js';

export interface IrcOptions {
  hostname: string;
  port: number;
  nick: string;
  user?: string;
  password?: string;
  name?: string;
  chan: string;
  connectTimeoutMs: number;
}

export class IrcConnectionError extends FlumeError {
  constructor(message: string, cause?: unknown) {
    super('FLUME_IRC', message, { cause, retriable: true });
  }
}

export class IrcConnection {
  private socket: net.Socket | undefined;
  private closed = false;
  private buf = '';

  constructor(
    private readonly o: IrcOptions,
    private readonly log: Logger,
  ) {}

  get alive(): boolean {
    return this.socket !== undefined && !this.closed;
  }

  async open(): Promise<void> {
    const o = this.o;
    const s = await new Promise<net.Socket>((resolve, reject) => {
      const sock = net.connect({ host: o.hostname, port: o.port });
      const timer = setTimeout(
        () => sock.destroy(new FlumeError('FLUME_IRC', `no connection after ${o.connectTimeoutMs} ms`)),
        o.connectTimeoutMs,
      );
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(sock);
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(new IrcConnectionError(`cannot connect to IRC server ${o.hostname}:${o.port}: ${err.message}`, err));
      });
    });
    this.socket = s;
    s.setEncoding('utf8');
    s.on('data', (d: string) => this.onData(d));
    s.on('error', (err) => this.log.error({ err: err.message }, `IRC sink error: ${err.message}`));
    s.on('close', () => {
      this.closed = true;
      this.log.error('IRC sink disconnected');
    });
    // IRClib's register(): the user and real name are written as Java prints them ("null" when unset)
    const lines = [
      ...(o.password ? [`PASS ${o.password}`] : []),
      `NICK ${o.nick}`,
      `USER ${o.user ?? 'null'} /${s.localAddress ?? ''} ${o.hostname} :${o.name ?? 'null'}`,
      `join #${o.chan}`,
    ];
    await this.send(lines);
  }

  private onData(d: string): void {
    this.buf += d;
    for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      const parts = line.split(' ');
      const cmd = line.startsWith(':') ? parts[1] : parts[0];
      if (cmd === 'PING') void this.send([`PONG ${line.slice(line.indexOf('PING') + 5)}`]).catch(() => {});
      else if (cmd && /^[45]\d\d$/.test(cmd)) this.log.error(`IRC sink error: ${cmd} - ${line}`);
      else if (cmd === 'ERROR') this.log.error(`IRC sink error: ${line}`);
    }
    if (this.buf.length > 65536) this.buf = '';
  }

  /** Writes the lines (CRLF-terminated) and resolves once the socket has taken them; throws when it is closed. */
  send(lines: readonly string[]): Promise<void> {
    const s = this.socket;
    const where = `${this.o.hostname}:${this.o.port}`;
    if (!s || this.closed || s.destroyed) return Promise.reject(new IrcConnectionError(`not connected to IRC server ${where}`));
    const data = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8');
    return new Promise((resolve, reject) => {
      s.write(data, (err) => {
        if (err) reject(new IrcConnectionError(`cannot write to IRC server ${where}: ${err.message}`, err));
        else resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }
}
