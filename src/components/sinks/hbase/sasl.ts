/**
 * Kerberos on HBase's RPC connections, as HBase 2's client does it (BlockingRpcConnection / NettyRpcConnection with
 * HBaseSaslRpcClient and the GSSAPI SASL provider):
 *  1. the preamble "HBas", version 0, auth method KERBEROS (0x51);
 *  2. SASL GSSAPI tokens, each `int32 length | token` from the client; the server answers `int32 status` (0 = SUCCESS,
 *     then `int32 length | token`; 1 = ERROR, then two Hadoop Writable strings: exception class and message; a length
 *     of -88 means "switch to simple auth", which a secure client refuses);
 *  3. RFC 4752's last step: the server's wrapped 4-byte offer (layers it accepts, its maximum buffer size) answered
 *     wrapped with the chosen layer, a size and the client principal as authorization id;
 *  4. then the ConnectionHeader and the RPCs, as without Kerberos. Only the "none" layer (hbase.rpc.protection =
 *     authentication) is spoken: integrity and privacy wrap every RPC with GSS wrap/unwrap of arbitrary data, which the
 *     `kerberos` module does not offer (its wrap() only builds this RFC 4752 answer).
 * The server principal is hbase.regionserver.kerberos.principal with `_HOST` replaced by the canonical name of the
 * server's host in lower case (GssSaslClientAuthenticationProvider: InetAddress.getCanonicalHostName()).
 */
import { FlumeError } from '../../../core/errors.js';
import { type GssClient, type KerberosLogin, canonicalHost } from '../../shared/kerberos.js';

/** hbase.rpc.protection values, in the order of preference given; SASL QOP auth, auth-int, auth-conf. */
export type Protection = 'authentication' | 'integrity' | 'privacy';

export interface RpcSecurity {
  login: KerberosLogin;
  /** The region servers' principal, e.g. hbase/_HOST@EXAMPLE.COM (hbase.regionserver.kerberos.principal). */
  serverPrincipal: string;
  /** hbase.rpc.protection (comma-separated): must include authentication, the only one flume-ts speaks. */
  protection: Protection[];
}

/** The server refused the SASL login, or the exchange went wrong on the wire. */
export class HBaseSaslError extends FlumeError {
  constructor(message: string, cause?: unknown) {
    super('FLUME_HBASE_SASL', message, { cause, retriable: true });
  }
}

export const KERBEROS_PREAMBLE = Buffer.from([0x48, 0x42, 0x61, 0x73, 0, 0x51]); // "HBas", version 0, AuthMethod.KERBEROS
const SWITCH_TO_SIMPLE_AUTH = -88;
/** RFC 4752's "no security layer" bit. */
const LAYER_NONE = 1;

/** hbase.rpc.protection as HBase's SaslUtil reads it: comma-separated, case-insensitive; an unknown value is an error. */
export function parseProtection(v: string | undefined): Protection[] {
  if (v === undefined || v.trim() === '') return ['authentication'];
  return v.split(',').map((s) => {
    const p = s.trim().toLowerCase();
    if (p === 'authentication' || p === 'integrity' || p === 'privacy') return p;
    throw new FlumeError('FLUME_CONFIG', `hbase.rpc.protection: unknown value "${s.trim()}" (authentication, integrity or privacy)`);
  });
}

/** Hadoop's SecurityUtil.getServerPrincipal(pattern, host): `_HOST` becomes `host` in lower case. */
export function serverPrincipalFor(pattern: string, host: string): string {
  const parts = pattern.split(/[/@]/);
  if (parts.length < 2 || parts.length > 3 || parts[1] !== '_HOST') return pattern;
  return `${parts[0]}/${host.toLowerCase()}${parts.length === 3 ? `@${parts[2]}` : ''}`;
}

/** The principal to ask a service ticket for: the pattern with `_HOST` = canonical name of `host`. */
export async function serverPrincipalOf(pattern: string, host: string): Promise<string> {
  return serverPrincipalFor(pattern, await canonicalHost(host));
}

/** Reads exact byte counts from a socket's data during the handshake. */
export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private waiter?: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void };
  private err?: Error;

  push(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    this.pump();
  }

  fail(e: Error): void {
    this.err ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(e);
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.err) return reject(this.err);
      this.waiter = { n, resolve, reject };
      this.pump();
    });
  }

  /** Bytes received beyond what was read. */
  rest(): Buffer {
    const r = this.buf;
    this.buf = Buffer.alloc(0);
    return r;
  }

  private pump(): void {
    const w = this.waiter;
    if (!w || this.buf.length < w.n) return;
    this.waiter = undefined;
    const out = this.buf.subarray(0, w.n);
    this.buf = this.buf.subarray(w.n);
    w.resolve(out);
  }
}

/** The `kerberos` module answers base64, or null for an empty token. */
function b64(s: string | null | undefined): Buffer {
  return Buffer.from(s ?? '', 'base64');
}

function framed(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length);
  return Buffer.concat([len, b]);
}

async function readInt(r: ByteReader): Promise<number> {
  return (await r.read(4)).readInt32BE(0);
}

/** Hadoop's WritableUtils.readString: int32 length (-1: null), UTF-8 bytes. */
async function readWritableString(r: ByteReader): Promise<string> {
  const n = await readInt(r);
  if (n < 0) return '';
  if (n > 1 << 20) throw new HBaseSaslError(`undecodable SASL error reply (string of ${n} bytes)`);
  return (await r.read(n)).toString('utf8');
}

export interface HandshakeTarget {
  /** host:port, for messages */
  address: string;
  /** the server principal asked for */
  serverPrincipal: string;
  security: RpcSecurity;
}

/**
 * Runs the SASL GSSAPI exchange after the KERBEROS preamble was written; resolves once the server has the last token
 * (no security layer: the RPCs then travel as without Kerberos). Client-side Kerberos failures are FLUME_KERBEROS errors naming the principal; a refusal by the server
 * is FLUME_HBASE_SASL naming both principals.
 */
export async function saslHandshake(r: ByteReader, write: (b: Buffer) => void, t: HandshakeTarget): Promise<void> {
  const { login } = t.security;
  const [service, host] = t.serverPrincipal.split(/[/@]/);
  if (!service || !host) {
    throw new HBaseSaslError(`Kerberos principal '${t.serverPrincipal}' does not have the expected format (service/host@REALM)`);
  }
  const target = `${service}@${host}`;
  const gss = await login.initiator(service, host, 'krb5', 'HBase RPC login (SASL GSSAPI)');
  const step = async (challenge: Buffer): Promise<Buffer> => {
    try {
      return b64((await gss.step(challenge.toString('base64'))) as string | null);
    } catch (e) {
      throw login.explain(e, 'HBase RPC login (SASL GSSAPI)', target);
    }
  };
  write(framed(await step(Buffer.alloc(0))));
  for (let round = 0; round < 10; round++) {
    const challenge = await readChallenge(r, t);
    if (!gss.contextComplete) {
      write(framed(await step(challenge)));
      continue;
    }
    return securityLayer(gss, challenge, write, t);
  }
  throw new HBaseSaslError(`HBase server ${t.address}: the SASL GSSAPI exchange did not complete within 10 rounds`);
}

async function readChallenge(r: ByteReader, t: HandshakeTarget): Promise<Buffer> {
  const status = await readInt(r);
  if (status !== 0) {
    const cls = await readWritableString(r);
    const msg = await readWritableString(r);
    throw new HBaseSaslError(
      `HBase server ${t.address} refused the Kerberos login of ${t.security.login.principal} (server principal ` +
        `${t.serverPrincipal}): ${cls}: ${msg}; check that the server runs as ${t.serverPrincipal} ` +
        '(hbase.regionserver.kerberos.principal in hbase-site.xml), that both are in the same realm and that the clocks agree',
    );
  }
  const len = await readInt(r);
  if (len === SWITCH_TO_SIMPLE_AUTH) {
    throw new HBaseSaslError(
      `HBase server ${t.address} does not use Kerberos (it asked to switch to simple authentication), but the sink is ` +
        'configured with kerberosPrincipal/kerberosKeytab: remove them, or turn on hbase.security.authentication=kerberos on the cluster',
    );
  }
  if (len < 0 || len > 1 << 20) throw new HBaseSaslError(`HBase server ${t.address}: undecodable SASL reply (token of ${len} bytes)`);
  return r.read(len);
}

/**
 * RFC 4752 §3.1: unwrap the server's offer and answer, wrapped, "no security layer" with the server's size and the
 * principal as authorization id. The `kerberos` module builds exactly this answer (wrap with `user`); it cannot wrap
 * arbitrary data, so the integrity and privacy layers (every RPC wrapped) are not available: a server that offers no
 * "none" layer is refused with a clear error.
 */
async function securityLayer(gss: GssClient, challenge: Buffer, write: (b: Buffer) => void, t: HandshakeTarget): Promise<void> {
  const offer = b64((await gss.unwrap(challenge.toString('base64'))) as string | null);
  if (offer.length !== 4)
    throw new HBaseSaslError(`HBase server ${t.address}: bad SASL GSSAPI security-layer offer (${offer.length} bytes)`);
  if ((offer[0]! & LAYER_NONE) === 0) {
    throw new HBaseSaslError(
      `HBase server ${t.address} requires hbase.rpc.protection = integrity or privacy (SASL wrapping of every RPC), which ` +
        'flume-ts does not support: it needs hbase.rpc.protection to include authentication on the cluster',
    );
  }
  const answer = await gss.wrap(offer.toString('base64'), { user: t.security.login.principal, protect: false });
  write(framed(b64(answer as string | null)));
}
