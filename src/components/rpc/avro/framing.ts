/**
 * Avro's Netty transport framing (NettyTransportCodec, avro 1.11.0), big-endian:
 *
 *   pack := serial:int32  count:int32  ( length:int32  bytes[length] ){count}
 *
 * The buffers of a pack are chunks of one logical message; the receiver concatenates them. Servers echo the serial.
 */
import { RpcProtocolError } from '../errors.js';
import { ByteQueue } from '../byte-queue.js';

export interface Pack {
  serial: number;
  /** The pack's buffers, concatenated. */
  data: Buffer;
}

export interface FrameLimits {
  /** Most buffers in one pack (Avro's Java decoder allows `count × 8 ≤ 10% of the heap`). */
  maxBuffers: number;
  /** Most bytes in one pack. */
  maxBytes: number;
}

export const DEFAULT_FRAME_LIMITS: FrameLimits = { maxBuffers: 1 << 20, maxBytes: 512 * 1024 * 1024 };

/** Frames one message as a pack with a single buffer. `msg` must have 12 bytes of headroom at the front. */
export function framePack(serial: number, msgWithHeadroom: Buffer): Buffer {
  msgWithHeadroom.writeInt32BE(serial | 0, 0);
  msgWithHeadroom.writeInt32BE(1, 4);
  msgWithHeadroom.writeInt32BE(msgWithHeadroom.length - 12, 8);
  return msgWithHeadroom;
}

/** Frames several buffers as one pack (a copy; for small messages). */
export function encodePack(serial: number, buffers: readonly Buffer[]): Buffer {
  let size = 8;
  for (const b of buffers) size += 4 + b.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(serial | 0, 0);
  out.writeInt32BE(buffers.length, 4);
  let pos = 8;
  for (const b of buffers) {
    out.writeInt32BE(b.length, pos);
    pos += 4;
    pos += b.copy(out, pos);
  }
  return out;
}

/** Incremental decoder: feed it socket chunks, get complete packs. Throws RpcProtocolError on impossible sizes. */
export class PackDecoder {
  private readonly bytes = new ByteQueue();
  private state: 'header' | 'length' | 'body' = 'header';
  private serial = 0;
  private count = 0;
  private parts: Buffer[] = [];
  private packBytes = 0;
  private length = 0;
  private readonly limits: FrameLimits;

  constructor(limits: FrameLimits = DEFAULT_FRAME_LIMITS) {
    this.limits = limits;
  }

  /** Bytes received that do not yet form a complete pack. */
  get buffered(): number {
    return this.bytes.length + this.packBytes;
  }

  push(chunk: Buffer): Pack[] {
    this.bytes.push(chunk);
    const out: Pack[] = [];
    for (;;) {
      if (this.state === 'header') {
        if (this.bytes.length < 8) return out;
        const h = this.bytes.take(8);
        this.serial = h.readInt32BE(0);
        this.count = h.readInt32BE(4);
        if (this.count < 0 || this.count > this.limits.maxBuffers) {
          throw new RpcProtocolError(
            `Netty frame header announces ${this.count} buffers (allowed 0..${this.limits.maxBuffers}); not an Avro RPC peer, or a corrupt stream`,
          );
        }
        this.parts = [];
        this.packBytes = 0;
        if (this.count === 0) {
          out.push({ serial: this.serial, data: Buffer.alloc(0) });
          continue;
        }
        this.state = 'length';
      }
      if (this.state === 'length') {
        if (this.bytes.length < 4) return out;
        this.length = this.bytes.take(4).readInt32BE(0);
        if (this.length < 0 || this.packBytes + this.length > this.limits.maxBytes) {
          throw new RpcProtocolError(
            `Netty frame buffer of ${this.length} bytes (pack total ${this.packBytes + this.length}) exceeds the limit of ${this.limits.maxBytes} bytes`,
          );
        }
        this.state = 'body';
      }
      if (this.bytes.length < this.length) return out;
      this.parts.push(this.bytes.take(this.length));
      this.packBytes += this.length;
      if (this.parts.length === this.count) {
        const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.packBytes);
        out.push({ serial: this.serial, data });
        this.parts = [];
        this.packBytes = 0;
        this.state = 'header';
      } else {
        this.state = 'length';
      }
    }
  }
}
