/**
 * Client side of libthrift's SASL transport (TSaslClientTransport) with the GSSAPI mechanism, as Flume's
 * SecureThriftRpcClient uses it (QOP `auth`: authentication only, no security layer).
 *
 * Negotiation messages are `status (1 byte) | length (4 bytes, big-endian) | payload`, status START=1, OK=2, BAD=3,
 * ERROR=4, COMPLETE=5. The client sends START "GSSAPI", then its first GSS token (OK); it answers each server
 * challenge (GSS tokens, then RFC 4752's wrapped security-layer offer) until the server says COMPLETE. With QOP auth
 * every later frame is `length (4 bytes) | bytes`: the framing of TFramedTransport, so the Thrift client above runs
 * unchanged on the same stream.
 */
import type { Duplex } from 'node:stream';
import type { KerberosLogin } from '../../shared/kerberos.js';
import { RpcError } from '../errors.js';

export const START = 1;
export const OK = 2;
export const BAD = 3;
export const ERROR = 4;
export const COMPLETE = 5;

export function message(status: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = status;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Reads negotiation messages off a stream (before the RPC layer takes it over). */
export class MessageReader {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private failed: Error | undefined;
  private readonly onData = (c: Buffer) => {
    this.buf = Buffer.concat([this.buf, c]);
    this.wake?.();
  };
  private readonly onEnd = () => {
    this.failed ??= new RpcError(this.closedMessage);
    this.wake?.();
  };
  private readonly onError = (e: Error) => {
    this.failed ??= e;
    this.wake?.();
  };

  constructor(
    private readonly stream: Duplex,
    private readonly closedMessage = 'the server closed the connection during SASL negotiation (is kerberos = true on the source?)',
    private readonly peer = 'the server',
  ) {
    stream.on('data', this.onData);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
    stream.resume();
  }

  async next(): Promise<{ status: number; payload: Buffer }> {
    for (;;) {
      const status = this.buf[0];
      if (status !== undefined && (status < START || status > COMPLETE)) {
        throw new RpcError(`status byte ${status} from ${this.peer} is not a SASL negotiation message (is kerberos = true on both sides?)`);
      }
      if (this.buf.length >= 5) {
        const len = this.buf.readUInt32BE(1);
        if (len > 16 * 1024 * 1024) throw new RpcError(`SASL message of ${len} bytes from ${this.peer}: not a SASL transport`);
        if (this.buf.length >= 5 + len) {
          const status = this.buf[0]!;
          const payload = this.buf.subarray(5, 5 + len);
          this.buf = this.buf.subarray(5 + len);
          return { status, payload };
        }
      }
      if (this.failed) throw this.failed;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }

  /** Bytes received after the last message read (the first RPC frame when a peer does not wait). */
  get rest(): Buffer {
    return this.buf;
  }

  /**
   * Stops listening; the stream is handed to the RPC layer. `pause`: leave it paused so nothing is emitted before the
   * RPC layer listens (a server, whose client may send its first frame at once).
   */
  detach(pause = false): void {
    if (pause) this.stream.pause();
    this.stream.off('data', this.onData);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onError);
  }
}

/**
 * Authenticates `stream` to `service/host` (Flume's server-principal split at '/' and '@') as the process login.
 * Throws a FlumeError naming the principal and what to check.
 */
export async function saslGssapiClient(
  stream: Duplex,
  login: KerberosLogin,
  service: string,
  host: string,
  timeoutMs: number,
): Promise<void> {
  const what = 'SASL GSSAPI (thrift)';
  const target = `${service}@${host}`;
  const gss = await login.initiator(service, host, 'krb5', what);
  const reader = new MessageReader(stream);
  const timer = setTimeout(() => stream.destroy(new RpcError(`SASL negotiation with ${target} not done after ${timeoutMs} ms`)), timeoutMs);
  const b64 = (b: Buffer) => b.toString('base64');
  // the module answers null when GSS has no output token (the last step of a context)
  const send = (status: number, token: string | null) => stream.write(message(status, Buffer.from(token ?? '', 'base64')));
  try {
    stream.write(message(START, Buffer.from('GSSAPI')));
    send(OK, await gss.step(''));
    let layerDone = false;
    for (;;) {
      const m = await reader.next();
      if (m.status === BAD || m.status === ERROR) {
        const why = m.payload.toString('utf8').slice(0, 300);
        const hint = /clock skew/i.test(why)
          ? `; this host's clock and the server's differ by more than the allowed skew (krb5.conf clockskew): synchronise the clocks (NTP)`
          : '';
        throw new RpcError(`the server refused SASL GSSAPI as ${login.principal}: ${why}${hint}`);
      }
      if (m.status !== OK && m.status !== COMPLETE) throw new RpcError(`unexpected SASL status ${m.status} from the server`);
      if (m.status === COMPLETE && (gss.contextComplete || m.payload.length === 0)) break;
      if (!gss.contextComplete) {
        send(OK, await gss.step(b64(m.payload)));
      } else if (!layerDone) {
        // RFC 4752: the server's wrapped [qop mask | max buffer]; answer "no security layer" with our principal
        const offer = await gss.unwrap(b64(m.payload));
        send(COMPLETE, await gss.wrap(offer, { user: login.principal }));
        layerDone = true;
      } else {
        throw new RpcError('the server sent a SASL challenge after the negotiation was complete');
      }
    }
  } catch (e) {
    // the server may have closed already: a write of ours can still fail (EPIPE) after the reader stops listening
    stream.on('error', () => {});
    if (e instanceof RpcError) throw e;
    throw login.explain(e, what, target);
  } finally {
    clearTimeout(timer);
    reader.detach();
  }
}
