/**
 * Server side of Avro IPC for AvroSourceProtocol, one session per connection (Avro's Responder + NettyServer).
 * A connection starts "unconnected": each request carries a HandshakeRequest until one succeeds (match BOTH or
 * CLIENT); later requests carry none. An unknown client hash without the client's protocol text gets match NONE and
 * a handshake-only answer, so the client resends with its text.
 */
import type { Event } from '../../../core/event.js';
import type { RpcSession } from '../server.js';
import { AvroReader, AvroWriter } from './binary.js';
import { DEFAULT_FRAME_LIMITS, encodePack, PackDecoder, type FrameLimits, type Pack } from './framing.js';
import {
  errorResponse,
  FLUME_PROTOCOL_HASH,
  incompatibility,
  IN_ORDER_META,
  Match,
  readHandshakeRequest,
  statusResponse,
  TEXT_HASH,
  writeHandshakeResponse,
  type Status,
} from './protocol.js';

export interface AvroHandler {
  append(event: Event): Promise<Status>;
  appendBatch(events: Event[]): Promise<Status>;
}

/** Client protocols seen by one server: hash (hex) → undefined when compatible, else why not. */
export function knownClients(): Map<string, string | undefined> {
  return new Map([
    [FLUME_PROTOCOL_HASH.toString('hex'), undefined],
    [TEXT_HASH.toString('hex'), undefined],
  ]);
}

/** What every handshake answer says: this server answers a connection's requests in order (RpcServer's queue). */
const IN_ORDER: ReadonlyMap<string, Buffer> = new Map([[IN_ORDER_META, Buffer.alloc(0)]]);

export class AvroSession implements RpcSession<Pack> {
  private readonly decoder: PackDecoder;
  private connected = false;
  private incompatible: string | undefined;

  constructor(
    private readonly handler: AvroHandler,
    private readonly known: Map<string, string | undefined>,
    limits: FrameLimits = DEFAULT_FRAME_LIMITS,
  ) {
    this.decoder = new PackDecoder(limits);
  }

  push(chunk: Buffer): Pack[] {
    return this.decoder.push(chunk);
  }

  get buffered(): number {
    return this.decoder.buffered;
  }

  async handle(pack: Pack): Promise<Buffer> {
    const r = new AvroReader(pack.data);
    let hs: Buffer | undefined;
    if (!this.connected) {
      const req = readHandshakeRequest(r);
      const key = req.clientHash.toString('hex');
      let known = this.known.has(key);
      if (!known && req.clientProtocol !== null) {
        this.known.set(key, incompatibility(req.clientProtocol));
        known = true;
      }
      const match = !known ? Match.NONE : req.serverHash.equals(FLUME_PROTOCOL_HASH) ? Match.BOTH : Match.CLIENT;
      hs = writeHandshakeResponse(new AvroWriter(), match, IN_ORDER).toBuffer();
      if (match === Match.NONE) return encodePack(pack.serial, [hs]);
      this.connected = true;
      this.incompatible = this.known.get(key);
    }
    r.bytesMap();
    const name = r.string();
    if (name === '') return encodePack(pack.serial, hs ? [hs] : []);
    let body: Buffer;
    if (this.incompatible !== undefined) {
      body = errorResponse(`org.apache.avro.AvroRuntimeException: incompatible client protocol: ${this.incompatible}`);
    } else if (name === 'appendBatch') {
      body = statusResponse(await this.handler.appendBatch(r.events()));
    } else if (name === 'append') {
      body = statusResponse(await this.handler.append(r.event()));
    } else {
      body = errorResponse(`org.apache.avro.AvroRuntimeException: No such remote message: ${name}`);
    }
    return encodePack(pack.serial, hs ? [hs, body] : [body]);
  }
}
