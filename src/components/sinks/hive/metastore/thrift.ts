// A generic Thrift binary-protocol codec and one-call-at-a-time socket client for the Hive metastore
// (TBinaryProtocol, strict message headers, unframed TSocket transport: what HiveMetaStoreClient speaks by default).
// The thrift source/sink's codec (src/components/rpc/thrift) is specialised to ThriftFlumeEvent; the metastore needs
// arbitrary nested structs, lists and maps, so this module encodes from tagged values and decodes into generic
// field-id maps that metastore/client.ts reads by the IDL's field ids.
import net from 'node:net';
import { FlumeError } from '../../../../core/errors.js';
import { T as TType } from '../../../rpc/thrift/protocol.js';

/** Thrift's type ids (binary protocol numbering), shared with the thrift source/sink's codec. */
export { TType };

/** A value to encode, tagged with its Thrift type. */
export type TValue =
  | { t: TType.BOOL; v: boolean }
  | { t: TType.I32; v: number }
  | { t: TType.I64; v: bigint | number }
  | { t: TType.STRING; v: string }
  | { t: TType.STRUCT; v: TFields }
  | { t: TType.LIST; e: TType; v: TValue[] }
  | { t: TType.MAP; k: TType; val: TType; v: [TValue, TValue][] };

/** Struct fields by id; undefined fields are left out (optional fields not set). */
export type TFields = Record<number, TValue | undefined>;

export const tbool = (v: boolean): TValue => ({ t: TType.BOOL, v });
export const ti32 = (v: number): TValue => ({ t: TType.I32, v });
export const ti64 = (v: bigint | number): TValue => ({ t: TType.I64, v });
export const tstr = (v: string): TValue => ({ t: TType.STRING, v });
export const tstruct = (v: TFields): TValue => ({ t: TType.STRUCT, v });
export const tlist = (e: TType, v: TValue[]): TValue => ({ t: TType.LIST, e, v });
export const tstrmap = (m: Record<string, string>): TValue => ({
  t: TType.MAP,
  k: TType.STRING,
  val: TType.STRING,
  v: Object.entries(m).map(([a, b]) => [tstr(a), tstr(b)]),
});

/** A decoded struct: field id → value (structs nested as Decoded, lists as arrays, maps as Map, i64 as bigint). */
export type Decoded = Map<number, unknown>;

class Out {
  private buf = Buffer.allocUnsafe(1024);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf.writeUInt8(v & 0xff, this.len++);
  }
  i16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
  }
  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.len);
    this.len += 4;
  }
  i64(v: bigint | number): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.len);
    this.len += 8;
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.i32(b.length);
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }
  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

function writeValue(o: Out, v: TValue): void {
  switch (v.t) {
    case TType.BOOL:
      o.u8(v.v ? 1 : 0);
      return;
    case TType.I32:
      o.i32(v.v);
      return;
    case TType.I64:
      o.i64(v.v);
      return;
    case TType.STRING:
      o.str(v.v);
      return;
    case TType.STRUCT:
      writeStruct(o, v.v);
      return;
    case TType.LIST:
      o.u8(v.e);
      o.i32(v.v.length);
      for (const e of v.v) writeValue(o, e);
      return;
    case TType.MAP:
      o.u8(v.k);
      o.u8(v.val);
      o.i32(v.v.length);
      for (const [a, b] of v.v) {
        writeValue(o, a);
        writeValue(o, b);
      }
  }
}

function writeStruct(o: Out, fields: TFields): void {
  for (const [id, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    o.u8(v.t);
    o.i16(Number(id));
    writeValue(o, v);
  }
  o.u8(0);
}

/** Thrown while decoding a buffer that does not yet hold the whole message. */
class Incomplete extends Error {}

class In {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Incomplete();
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  str(): string {
    const n = this.i32();
    if (n < 0) throw new FlumeError('FLUME_HIVE_METASTORE', `metastore reply has a negative string length ${n}`);
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  value(t: number, depth: number): unknown {
    if (depth > 64) throw new FlumeError('FLUME_HIVE_METASTORE', 'metastore reply nests deeper than 64 levels');
    switch (t) {
      case TType.BOOL:
        return this.u8() !== 0;
      case TType.BYTE:
        return this.u8();
      case TType.DOUBLE: {
        this.need(8);
        const d = this.buf.readDoubleBE(this.pos);
        this.pos += 8;
        return d;
      }
      case TType.I16:
        return this.i16();
      case TType.I32:
        return this.i32();
      case TType.I64:
        return this.i64();
      case TType.STRING:
        return this.str();
      case TType.STRUCT:
        return this.struct(depth + 1);
      case TType.MAP: {
        const k = this.u8();
        const v = this.u8();
        const n = this.i32();
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) m.set(this.value(k, depth + 1), this.value(v, depth + 1));
        return m;
      }
      case TType.SET:
      case TType.LIST: {
        const e = this.u8();
        const n = this.i32();
        const a: unknown[] = [];
        for (let i = 0; i < n; i++) a.push(this.value(e, depth + 1));
        return a;
      }
      default:
        throw new FlumeError('FLUME_HIVE_METASTORE', `metastore reply has an unknown Thrift type ${t}`);
    }
  }
  struct(depth = 0): Decoded {
    const m: Decoded = new Map();
    for (;;) {
      const t = this.u8();
      if (t === 0) return m;
      const id = this.i16();
      m.set(id, this.value(t, depth));
    }
  }
}

const VERSION_1 = 0x80010000;
const CALL = 1;
const REPLY = 2;
const EXCEPTION = 3;

export function encodeCall(name: string, seqid: number, args: TFields): Buffer {
  const o = new Out();
  o.i32(VERSION_1 | CALL);
  o.str(name);
  o.i32(seqid);
  writeStruct(o, args);
  return o.bytes();
}

export interface Reply {
  name: string;
  seqid: number;
  type: number;
  body: Decoded;
  length: number;
}

/** Decodes one reply from the front of `buf`; undefined while it is incomplete. */
export function decodeReply(buf: Buffer): Reply | undefined {
  const i = new In(buf);
  try {
    const head = i.i32();
    if ((head & 0xffff0000) !== (VERSION_1 | 0)) {
      throw new FlumeError('FLUME_HIVE_METASTORE', `not a Thrift binary reply (header 0x${(head >>> 0).toString(16)})`);
    }
    const name = i.str();
    const seqid = i.i32();
    const body = i.struct();
    return { name, seqid, type: head & 0xff, body, length: i.pos };
  } catch (e) {
    if (e instanceof Incomplete) return undefined;
    throw e;
  }
}

/** A Thrift exception declared by the IDL (result field >= 1), with the metastore's message. */
export class MetastoreCallError extends FlumeError {
  constructor(
    readonly method: string,
    readonly exceptionField: number,
    message: string,
  ) {
    super('FLUME_HIVE_METASTORE', message, { retriable: false });
  }
}

/** One connection to the metastore; calls are serialised (Thrift's TSocket is not multiplexed). */
export class ThriftConnection {
  private sock: net.Socket | undefined;
  private seq = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  private where(): string {
    return `thrift://${this.host}:${this.port}`;
  }

  private async connect(): Promise<net.Socket> {
    if (this.sock && !this.sock.destroyed) return this.sock;
    const sock = net.connect({ host: this.host, port: this.port });
    sock.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        sock.destroy();
        reject(
          new FlumeError('FLUME_HIVE_METASTORE', `cannot connect to the metastore at ${this.where()} within ${this.timeoutMs} ms`, {
            retriable: true,
          }),
        );
      }, this.timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(
          new FlumeError('FLUME_HIVE_METASTORE', `cannot connect to the metastore at ${this.where()}: ${e.message}`, {
            cause: e,
            retriable: true,
          }),
        );
      });
    });
    this.sock = sock;
    return sock;
  }

  /** Calls `method`; resolves with the result struct's field 0 (undefined for void), rejects on a declared exception. */
  call(method: string, args: TFields): Promise<unknown> {
    const run = this.chain.then(
      () => this.callNow(method, args),
      () => this.callNow(method, args),
    );
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async callNow(method: string, args: TFields): Promise<unknown> {
    const sock = await this.connect();
    const seqid = ++this.seq;
    const reply = await new Promise<Reply>((resolve, reject) => {
      let buf: Buffer = Buffer.alloc(0);
      const cleanup = () => {
        clearTimeout(timer);
        sock.off('data', onData);
        sock.off('error', onError);
        sock.off('close', onClose);
      };
      const fail = (e: FlumeError) => {
        cleanup();
        sock.destroy();
        reject(e);
      };
      const timer = setTimeout(
        () =>
          fail(
            new FlumeError('FLUME_HIVE_METASTORE', `metastore call ${method} to ${this.where()} timed out after ${this.timeoutMs} ms`, {
              retriable: true,
            }),
          ),
        this.timeoutMs,
      );
      const onData = (d: Buffer) => {
        buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
        try {
          const r = decodeReply(buf);
          if (!r) return;
          cleanup();
          resolve(r);
        } catch (e) {
          fail(e instanceof FlumeError ? e : new FlumeError('FLUME_HIVE_METASTORE', String(e)));
        }
      };
      const onError = (e: Error) =>
        fail(
          new FlumeError('FLUME_HIVE_METASTORE', `metastore connection ${this.where()} failed during ${method}: ${e.message}`, {
            cause: e,
            retriable: true,
          }),
        );
      const onClose = () =>
        fail(
          new FlumeError('FLUME_HIVE_METASTORE', `metastore ${this.where()} closed the connection during ${method}`, { retriable: true }),
        );
      sock.on('data', onData);
      sock.on('error', onError);
      sock.on('close', onClose);
      sock.write(encodeCall(method, seqid, args));
    });
    return this.result(method, seqid, reply);
  }

  private result(method: string, seqid: number, r: Reply): unknown {
    if (r.seqid !== seqid || r.name !== method) {
      this.close();
      throw new FlumeError('FLUME_HIVE_METASTORE', `metastore answered ${r.name}#${r.seqid} to ${method}#${seqid}`, { retriable: true });
    }
    if (r.type === EXCEPTION) {
      throw new MetastoreCallError(
        method,
        -1,
        `metastore ${this.where()} rejected ${method}: ${String(r.body.get(1) ?? 'TApplicationException')}`,
      );
    }
    if (r.type !== REPLY) throw new FlumeError('FLUME_HIVE_METASTORE', `metastore sent message type ${r.type} to ${method}`);
    for (const [id, v] of r.body) {
      if (id === 0) continue;
      const ex = v as Decoded;
      throw new MetastoreCallError(method, id, `metastore ${this.where()}: ${method} failed: ${String(ex.get(1) ?? '(no message)')}`);
    }
    return r.body.get(0);
  }

  close(): void {
    this.sock?.destroy();
    this.sock = undefined;
  }
}
