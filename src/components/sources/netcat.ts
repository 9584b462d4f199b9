/**
 * Flume's NetcatSource (core/source/NetcatSource.java): one event per `\n`-terminated line of a TCP connection,
 * answered with `OK` (ack-every-event) or `FAILED: <reason>` when the channel refused it; a line longer than
 * max-line-length (chars, newline included) is answered `FAILED: Event exceeds the maximum length (N chars, including
 * newline)` and the connection is closed, keeping the events before it. Leftover bytes without `\n` at EOF are dropped.
 *
 * Difference that keeps the meaning: lines that arrive together are handed to the channel as one batch (one
 * transaction, up to the channel's transactionCapacity) instead of one transaction per line; every line still gets its
 * own `OK` only after it is committed, or its own `FAILED: …`. Bodies are the line's bytes (`\r` of CRLF kept).
 */
import net from 'node:net';
import { TextDecoder } from 'node:util';
import { defineComponent, prop } from '../../config/spec.js';
import type { ChannelProcessor, EventDrivenSource } from '../../core/source.js';
import { SliceEvent, type Event } from '../../core/event.js';
import type { Logger } from '../../core/logging.js';
import { errorMessage } from '../../core/errors.js';

export interface NetcatOptions {
  bind: string;
  port: number;
  maxLineLength: number;
  ackEveryEvent: boolean;
  encoding: string;
}

const OK = Buffer.from('OK\n');
const NL = 0x0a;

function isUtf8(enc: string): boolean {
  const e = enc.toLowerCase().replace(/[-_]/g, '');
  return e === 'utf8';
}

/** UTF-16 length of `buf` decoded as UTF-8 (Java chars), without allocating a string. */
function utf16Length(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if ((b & 0xc0) !== 0x80) n += b >= 0xf0 ? 2 : 1; // count lead bytes; 4-byte sequences are surrogate pairs
  }
  return n;
}

/**
 * The bytes of an unfinished line, in the pieces they arrived in: joined once, when the line's end arrives (a long
 * line that comes in many small reads is not copied again on every read).
 */
class UnfinishedLine {
  private parts: Buffer[] = [];
  length = 0;
  keep(piece: Buffer): true {
    this.parts.push(piece);
    this.length += piece.length;
    return true;
  }
  /** The line so far followed by `tail`, in one buffer; empties this. */
  join(tail: Buffer): Buffer {
    this.parts.push(tail);
    const out = Buffer.concat(this.parts);
    this.parts = [];
    this.length = 0;
    return out;
  }
}

export class NetcatSource implements EventDrivenSource {
  readonly mode = 'eventDriven';
  readonly name: string;
  private readonly opts: NetcatOptions;
  private readonly processor: ChannelProcessor;
  private readonly logger: Logger;
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly utf8: boolean;
  private readonly decoder?: TextDecoder;

  constructor(name: string, opts: NetcatOptions, processor: ChannelProcessor, logger: Logger) {
    this.name = name;
    this.opts = opts;
    this.processor = processor;
    this.logger = logger;
    this.utf8 = isUtf8(opts.encoding);
    if (!this.utf8) this.decoder = new TextDecoder(opts.encoding);
  }

  /** The port actually bound (useful with port 0). */
  get boundPort(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (s) => this.handle(s));
      server.once('error', reject);
      server.listen({ host: this.opts.bind, port: this.opts.port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.logger.error({ err: errorMessage(err) }, 'netcat server error'));
        this.server = server;
        this.logger.info({ bind: this.opts.bind, port: this.boundPort }, 'Created serverSocket');
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((r) => {
      server.close(() => r());
      for (const s of this.sockets) s.destroy();
    });
  }

  /** The event of one line: a lazy view into the socket chunk (Node allocates a fresh buffer per read), no copy. */
  private toEvent(buf: Buffer, start: number, end: number): Event {
    if (this.utf8) return new SliceEvent(buf, start, end);
    return { headers: {}, body: Buffer.from(this.decoder!.decode(buf.subarray(start, end)), 'utf8') };
  }

  private lineChars(buf: Buffer, start: number, end: number): number {
    if (this.utf8) return utf16Length(buf, start, end);
    return this.decoder!.decode(buf.subarray(start, end)).length;
  }

  private handle(socket: net.Socket): void {
    this.sockets.add(socket);
    const max = this.opts.maxLineLength;
    const pending = new UnfinishedLine();
    let busy = false;
    let closed = false;
    let eof = false; // the client half-closed: answer what it sent, then close our side (Flume reads to EOF)
    const queue: Buffer[] = [];
    const endIfDone = () => {
      if (eof && !busy && queue.length === 0 && !closed && !socket.destroyed) {
        closed = true;
        socket.end();
      }
    };

    const reply = (data: Buffer | string): boolean => (!closed && !socket.destroyed ? socket.write(data) : true);

    const processChunk = async (chunk: Buffer): Promise<boolean> => {
      let data = chunk;
      if (pending.length > 0) {
        // join only the unfinished line with the start of this chunk, never copy the whole chunk
        const nl = chunk.indexOf(NL);
        // still inside the line and fewer bytes than max-line-length (so fewer chars): keep the piece as it is
        if (nl < 0 && pending.length + chunk.length < max) return pending.keep(chunk);
        const head = pending.join(nl < 0 ? chunk : chunk.subarray(0, nl + 1));
        if (nl < 0) data = head;
        else {
          if (!(await processData(head))) return false;
          data = chunk.subarray(nl + 1);
        }
      }
      return processData(data);
    };

    const processData = async (data: Buffer): Promise<boolean> => {
      let start = 0;
      let batch: Event[] = [];
      let overlong = false;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const events = batch;
        batch = [];
        try {
          await this.processor.processEventBatch(events);
          if (this.opts.ackEveryEvent) {
            const ok = events.length === 1 ? OK : Buffer.alloc(events.length * 3, 'OK\n');
            if (!reply(ok)) await waitDrain(socket);
          }
        } catch (err) {
          const msg = `FAILED: ${errorMessage(err)}\n`;
          this.logger.warn({ err: errorMessage(err), events: events.length }, 'Error processing event. Exception follows.');
          if (!reply(msg.repeat(events.length))) await waitDrain(socket);
        }
      };
      for (;;) {
        const nl = data.indexOf(NL, start);
        if (nl < 0) break;
        // body chars + newline must fit max-line-length (Flume's CharBuffer)
        if (nl - start + 1 > max && this.lineChars(data, start, nl) + 1 > max) {
          overlong = true;
          break;
        }
        batch.push(this.toEvent(data, start, nl));
        start = nl + 1;
        if (batch.length >= this.processor.maxBatchSize) await flush();
      }
      await flush();
      if (!overlong && start < data.length) {
        const restLen = data.length - start;
        if (restLen >= max && this.lineChars(data, start, data.length) >= max) overlong = true;
        else pending.keep(Buffer.from(data.subarray(start)));
      }
      if (overlong) {
        this.logger.warn({ maxLineLength: max }, 'Client sent event exceeding the maximum length');
        reply(`FAILED: Event exceeds the maximum length (${max} chars, including newline)\n`);
        closed = true;
        socket.end();
        return false;
      }
      return true;
    };

    const pump = async () => {
      if (busy) return;
      busy = true;
      socket.pause();
      try {
        while (queue.length > 0 && !closed) {
          // the socket is paused: when the channels ask to, wait for their sinks instead of reading ahead (Channel.pace)
          const wait = this.processor.pace?.();
          if (wait) await wait;
          if (closed) break;
          const chunk = queue.shift()!;
          if (!(await processChunk(chunk))) queue.length = 0;
        }
      } catch (err) {
        this.logger.error({ err: errorMessage(err) }, 'netcat connection handler failed; closing the connection');
        closed = true;
        socket.destroy();
      } finally {
        busy = false;
        if (!closed && !socket.destroyed) socket.resume();
        endIfDone();
      }
    };

    socket.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      void pump();
    });
    socket.on('end', () => {
      eof = true;
      endIfDone();
    });
    socket.on('error', (err) => this.logger.debug({ err: errorMessage(err) }, 'netcat connection error'));
    socket.on('close', () => {
      closed = true;
      this.sockets.delete(socket);
    });
  }
}

function waitDrain(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((r) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      r();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

export const netcatSource = defineComponent({
  kind: 'source',
  type: 'netcat',
  fqcn: 'org.apache.flume.source.NetcatSource',
  summary: 'One event per newline-terminated line received over TCP, acknowledged with OK.',
  notes:
    "Lines that arrive together are committed as one batch (one transaction per channel, at most the channel's " +
    'transactionCapacity); each line is still answered OK only once committed, or FAILED: <reason>. Like Flume, ' +
    'netcat keeps no SourceCounter, so it is not in /metrics. Bytes that are not valid in `encoding` are passed through.',
  properties: {
    bind: prop.string({ required: true, doc: 'Host name or IP address to listen on.' }),
    port: prop.int({ required: true, min: 0, max: 65535, doc: 'TCP port to listen on.' }),
    'max-line-length': prop.int({
      default: 512,
      min: 1,
      doc: 'Maximum line length in characters, newline included; a longer line is refused and the connection closed.',
    }),
    'ack-every-event': prop.boolean({ default: true, doc: 'Answer OK for every accepted event.' }),
    encoding: prop.string({
      default: 'utf-8',
      doc: 'Character set of the incoming text (Flume code-only property); bodies are stored as UTF-8.',
      check: (v) => {
        try {
          new TextDecoder(v);
        } catch {
          return `unknown encoding "${v}"`;
        }
        return /utf-?16|utf-?32|ucs/i.test(v) ? `encoding ${v} is not supported (lines must end with a single \\n byte)` : undefined;
      },
    }),
  },
  create: (c, ctx) =>
    new NetcatSource(
      ctx.name,
      { bind: c.bind, port: c.port, maxLineLength: c['max-line-length'], ackEveryEvent: c['ack-every-event'], encoding: c.encoding },
      ctx.processor,
      ctx.logger,
    ),
});
