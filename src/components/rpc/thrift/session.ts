/** Server side of ThriftSourceProtocol over the framed transport, one session per connection. */
import type { Event } from '../../../core/event.js';
import type { RpcSession } from '../server.js';
import { decodeCall, encodeException, encodeReply, FrameDecoder, MsgType, type ProtocolName, type ThriftStatus } from './protocol.js';

export interface ThriftHandler {
  append(event: Event): Promise<ThriftStatus>;
  appendBatch(events: Event[]): Promise<ThriftStatus>;
}

/** Thrift 0.14's TFastFramedTransport default max frame (16384000 bytes) is Java's limit; we allow more. */
export const DEFAULT_MAX_FRAME = 512 * 1024 * 1024;

export class ThriftSession implements RpcSession<Buffer> {
  private readonly decoder: FrameDecoder;

  constructor(
    private readonly handler: ThriftHandler,
    private readonly protocol: ProtocolName,
    maxFrame = DEFAULT_MAX_FRAME,
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
    const call = decodeCall(this.protocol, frame);
    const { header } = call;
    if (!call.events) return encodeException(this.protocol, header, `Invalid method name: '${header.name}'`, 1);
    const status = header.name === 'append' ? await this.handler.append(call.events[0]!) : await this.handler.appendBatch(call.events);
    return header.type === MsgType.ONEWAY ? null : encodeReply(this.protocol, header, status);
  }
}
