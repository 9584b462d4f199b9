/**
 * The one ZooKeeper call an HBase client needs: read a znode (`<znodeParent>/meta-region-server`). ZooKeeper's wire
 * protocol (jute): a length-prefixed ConnectRequest opens a session, a getData request (type 4) reads the node, and
 * closeSession (type -11) ends the session at once. No npm ZooKeeper client is both maintained and pure JavaScript
 * (node-zookeeper-client's last release is from 2019; `zookeeper` is a native binding), and a session, watches and
 * reconnection are not needed to read one node, so this is written out here (about 100 lines).
 */
import net from 'node:net';
import { FlumeError } from '../../../core/errors.js';

export class ZooKeeperError extends FlumeError {
  constructor(message: string, cause?: unknown) {
    super('FLUME_HBASE_ZOOKEEPER', message, { cause, retriable: true });
  }
}

const GET_DATA = 4;
const CLOSE_SESSION = -11;
const NO_NODE = -101;

/** A ZooKeeper string: int32 length + UTF-8. */
function ustring(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length);
  return Buffer.concat([len, b]);
}

function frame(body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/** ConnectRequest: protocolVersion 0, lastZxidSeen 0, timeOut, sessionId 0, passwd (16 zero bytes), readOnly false. */
export function connectRequest(timeoutMs: number): Buffer {
  const b = Buffer.alloc(4 + 8 + 4 + 8 + 4 + 16 + 1);
  b.writeInt32BE(0, 0);
  b.writeBigInt64BE(0n, 4);
  b.writeInt32BE(timeoutMs, 12);
  b.writeBigInt64BE(0n, 16);
  b.writeInt32BE(16, 24);
  return frame(b);
}

/** RequestHeader (xid, type) + GetDataRequest (path, watch = false). */
export function getDataRequest(xid: number, znode: string): Buffer {
  const h = Buffer.alloc(8);
  h.writeInt32BE(xid, 0);
  h.writeInt32BE(GET_DATA, 4);
  return frame(Buffer.concat([h, ustring(znode), Buffer.from([0])]));
}

function closeRequest(xid: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeInt32BE(xid, 0);
  h.writeInt32BE(CLOSE_SESSION, 4);
  return frame(h);
}

/** Splits complete length-prefixed frames off `buf`; returns the frames and the rest. */
export function takeFrames(buf: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let off = 0;
  while (buf.length - off >= 4) {
    const len = buf.readInt32BE(off);
    if (buf.length - off - 4 < len) break;
    frames.push(buf.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

/** Parses a getData reply: ReplyHeader (xid, zxid, err) then the data buffer (-1 = null). */
export function parseGetDataReply(f: Buffer, znode: string, where: string): Buffer | undefined {
  const err = f.readInt32BE(12);
  if (err === NO_NODE) return undefined;
  if (err !== 0) throw new ZooKeeperError(`ZooKeeper ${where} answered error ${err} reading ${znode}`);
  const len = f.readInt32BE(16);
  return len < 0 ? Buffer.alloc(0) : Buffer.from(f.subarray(20, 20 + len));
}

/**
 * Reads `znode` from the first server of `servers` (host:port, comma-separated) that answers within `timeoutMs`.
 * Resolves undefined when the node does not exist.
 */
export async function readZnode(servers: string, znode: string, timeoutMs: number): Promise<Buffer | undefined> {
  const list = servers
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let last: unknown;
  for (const hp of list) {
    try {
      return await readFrom(hp, znode, timeoutMs);
    } catch (err) {
      last = err;
    }
  }
  throw new ZooKeeperError(`no ZooKeeper server of "${servers}" answered for ${znode}: ${(last as Error)?.message ?? 'none given'}`, last);
}

function readFrom(hostPort: string, znode: string, timeoutMs: number): Promise<Buffer | undefined> {
  const i = hostPort.lastIndexOf(':');
  const host = i > 0 ? hostPort.slice(0, i) : hostPort;
  const port = i > 0 ? Number(hostPort.slice(i + 1)) : 2181;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf: Buffer = Buffer.alloc(0);
    let connected = false;
    const timer = setTimeout(() => fail(new ZooKeeperError(`ZooKeeper ${hostPort}: no answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      sock.destroy();
      reject(e instanceof ZooKeeperError ? e : new ZooKeeperError(`ZooKeeper ${hostPort}: ${e.message}`, e));
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new ZooKeeperError(`ZooKeeper ${hostPort} closed the connection`)));
    sock.on('connect', () => sock.write(connectRequest(Math.max(timeoutMs, 6000))));
    sock.on('data', (d: Buffer) => {
      const { frames, rest } = takeFrames(Buffer.concat([buf, d]));
      buf = rest;
      for (const f of frames) {
        if (!connected) {
          connected = true;
          sock.write(getDataRequest(1, znode));
          continue;
        }
        try {
          const data = parseGetDataReply(f, znode, hostPort);
          clearTimeout(timer);
          sock.removeAllListeners('close');
          sock.end(closeRequest(2));
          resolve(data);
        } catch (e) {
          fail(e as Error);
        }
        return;
      }
    });
  });
}
