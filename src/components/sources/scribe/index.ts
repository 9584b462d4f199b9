/**
 * Flume's ScribeSource (org.apache.flume.source.scribe.ScribeSource, FQCN only): Scribe's Thrift `Log` call over the
 * framed transport and the binary protocol; each LogEntry becomes one event (its message as the body, its category as
 * the `category` header); the whole list goes to the channels in one processEventBatch, answered OK, or TRY_LATER
 * when that fails.
 */
import { defineComponent, prop } from '../../../config/spec.js';
import { ChannelError, errorMessage } from '../../../core/errors.js';
import type { ChannelProcessor } from '../../../core/source.js';
import type { Logger } from '../../../core/logging.js';
import { RpcServer, type RpcSession } from '../../rpc/server.js';
import { RpcSource } from '../../rpc/rpc-source.js';
import { FrameDecoder } from '../../rpc/thrift/protocol.js';
import { decodeScribeCall, encodeScribeReply, encodeUnknownMethod, entryToEvent, type LogEntry, type ResultCode } from './protocol.js';

const DEFAULT_PORT = 1499;
const DEFAULT_WORKERS = 5;
const DEFAULT_MAX_READ_BUFFER_BYTES = 16384000;

class ScribeSession implements RpcSession<Buffer> {
  private readonly decoder: FrameDecoder;

  constructor(
    private readonly source: ScribeSource,
    maxFrame: number,
  ) {
    this.decoder = new FrameDecoder(maxFrame);
  }

  push(chunk: Buffer): Buffer[] {
    return this.decoder.push(chunk);
  }

  get buffered(): number {
    return this.decoder.buffered;
  }

  async handle(frame: Buffer): Promise<Buffer | null> {
    const call = decodeScribeCall(frame);
    if (!call.isLog) return encodeUnknownMethod(call.header);
    const code = await this.source.log(call.entries);
    return call.header.type === 4 /* ONEWAY */ ? null : encodeScribeReply(call.header, code);
  }
}

export class ScribeSource extends RpcSource {
  constructor(
    name: string,
    processor: ChannelProcessor,
    logger: Logger,
    bind: string,
    port: number,
    private readonly maxReadBufferBytes: number,
  ) {
    super(name, 'Scribe', processor, logger, bind, port);
  }

  protected createServer(): RpcServer<unknown> {
    return new RpcServer({
      bind: this.bind,
      port: this.port,
      logger: this.logger,
      label: `Scribe source ${this.name}`,
      layers: {},
      onConnectionCount: this.onConnections,
      newSession: () => new ScribeSession(this, this.maxReadBufferBytes),
    }) as RpcServer<unknown>;
  }

  /** Flume's Receiver.Log. */
  async log(entries: LogEntry[] | undefined): Promise<ResultCode> {
    if (!entries) return 'TRY_LATER';
    const c = this.counter;
    c.add('EventReceivedCount', entries.length);
    const missing = entries.findIndex((e) => e.message === undefined);
    if (missing >= 0) {
      // Flume: entry.getMessage().getBytes() throws a NullPointerException; the whole list is refused
      this.logger.warn(`Scribe source ${this.name}: LogEntry ${missing} has no message; answering TRY_LATER`);
      c.increment('EventReadFail');
      return 'TRY_LATER';
    }
    try {
      if (entries.length > 0) await this.processor.processEventBatch(entries.map(entryToEvent));
    } catch (err) {
      this.logger.warn({ err: errorMessage(err), events: entries.length }, `Scribe source handling failure: ${errorMessage(err)}`);
      c.increment(err instanceof ChannelError ? 'ChannelWriteFail' : 'EventReadFail');
      return 'TRY_LATER';
    }
    c.add('EventAcceptedCount', entries.length);
    return 'OK';
  }
}

export const scribeSource = defineComponent({
  kind: 'source',
  type: 'org.apache.flume.source.scribe.ScribeSource',
  fqcn: 'org.apache.flume.source.scribe.ScribeSource',
  summary: "Receives Scribe's Thrift Log calls (framed transport, binary protocol), one event per LogEntry.",
  notes:
    "As Flume's ScribeSource: body = the entry's message (a Thrift string, so invalid UTF-8 becomes U+FFFD, as Java " +
    "decodes and re-encodes it; Flume re-encodes with the JVM's default charset, flume-ts always with UTF-8), header " +
    '`category` when set; an entry without a message, or a failed channel put, makes the whole call TRY_LATER. ' +
    'A frame over maxReadBufferBytes closes the connection. workerThreads is accepted (Node serves on one thread). ' +
    'Flume listens on every interface; flume-ts too, unless the flume-ts-only `bind` says otherwise.',
  properties: {
    port: prop.int({ default: DEFAULT_PORT, min: 0, max: 65535, doc: 'Port to listen on.' }),
    maxReadBufferBytes: prop.int({
      default: DEFAULT_MAX_READ_BUFFER_BYTES,
      doc: 'Largest Thrift frame accepted, in bytes (≤ 0 falls back to 16384000).',
    }),
    workerThreads: prop.int({
      default: DEFAULT_WORKERS,
      doc: "Accepted for compatibility (Flume's THsHaServer workers); Node serves every call on one thread.",
    }),
    bind: prop.string({
      default: '0.0.0.0',
      doc: 'flume-ts extension: the address to listen on (Flume always listens on every interface).',
    }),
  },
  create: (c, ctx) =>
    new ScribeSource(
      ctx.name,
      ctx.processor,
      ctx.logger,
      c.bind,
      c.port,
      c.maxReadBufferBytes > 0 ? c.maxReadBufferBytes : DEFAULT_MAX_READ_BUFFER_BYTES,
    ),
});
