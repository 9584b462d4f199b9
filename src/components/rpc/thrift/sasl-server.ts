/**
 * Server side of libthrift's SASL transport (TSaslServerTransport) with the GSSAPI mechanism, as Flume's ThriftSource
 * sets it up with kerberos = true: QOP `auth`, and Hadoop's SaslGssCallbackHandler (the authorization id must be the
 * authenticated principal, or empty).
 *
 * The client sends START "GSSAPI" and then its AP-REQ (OK). Java's GssKrb5Server is followed step by step: the AP-REP
 * goes back (OK); once the client acknowledges it (an empty token), the RFC 4752 offer goes out wrapped (OK):
 * `[qop mask = auth | max buffer 65536]`. The client's wrapped choice `[qop | max buffer | authzid]` is checked, and
 * COMPLETE ends the negotiation. Every later frame is `length | bytes` (QOP auth: no security layer), the framing of
 * TFramedTransport, so the Thrift session reads the stream unchanged. A failure is sent to the client as an ERROR
 * message (libthrift's "Peer indicated failure: …" on its side), then the connection is closed.
 */
import type { Duplex } from 'node:stream';
import { FlumeError } from '../../../core/errors.js';
import { explainAcceptError, type GssAcceptContext, gssAcceptor } from '../../shared/gss-acceptor.js';
import { checkKeytab } from '../../shared/kerberos.js';
import { BAD, COMPLETE, ERROR, MessageReader, message, OK, START } from './sasl.js';

/** QOP auth, the only protection Flume's ThriftSource offers (Sasl.QOP = "auth"). */
const QOP_AUTH = 1;
/** Java's GssKrb5Server default receive buffer (javax.security.sasl.maxbuffer). */
const MAX_BUFFER = 65536;

export interface SaslServerOptions {
  /** agent-principal after _HOST substitution */
  principal: string;
  keytab: string;
  /** "127.0.0.1:50123" for messages */
  peer: string;
  timeoutMs: number;
}

export interface SaslServerResult {
  /** the authenticated client principal */
  user: string;
  /** bytes that followed the negotiation (the first Thrift frame) */
  rest: Buffer;
}

const saslError = (msg: string) => new FlumeError('FLUME_THRIFT_SASL', msg);

/** Sends the failure to the client, bounded in time, before the caller closes the connection. */
function tellClient(stream: Duplex, status: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    stream.end(message(status, Buffer.from(text)), () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** RFC 4752 offer: one byte of supported layers, three of the largest message the server takes. */
function offer(): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(MAX_BUFFER, 0);
  b[0] = QOP_AUTH;
  return b;
}

/** The client's answer to the offer: checks the layer and the authorization id; returns the authorized user. */
function checkChoice(choice: Buffer, peer: string): string {
  if (choice.length < 4) throw saslError(`the client's security-layer answer has ${choice.length} bytes (at least 4 expected)`);
  if (choice[0] !== QOP_AUTH) {
    throw saslError(`the client selected protection ${choice[0]} but this source offers only auth (QOP auth, as Flume's)`);
  }
  const authzid = choice.subarray(4).toString('utf8');
  // Hadoop's SaslGssCallbackHandler: authorized only when the authorization id is the authenticated principal
  if (authzid !== '' && authzid !== peer) {
    throw saslError(`Authorization failure: ${peer} asked to act as ${authzid}`);
  }
  return peer;
}

async function readStart(reader: MessageReader): Promise<void> {
  const m = await reader.next();
  if (m.status !== START) throw saslError(`Expecting START status, received ${m.status}`);
  const mech = m.payload.toString('utf8');
  if (mech !== 'GSSAPI') throw Object.assign(saslError(`Unsupported mechanism type ${mech}`), { saslStatus: BAD });
}

/** The token exchange and the layer negotiation, after START. */
async function negotiate(stream: Duplex, reader: MessageReader, gss: GssAcceptContext): Promise<string> {
  const send = (status: number, payload: Buffer) => stream.write(message(status, payload));
  let offered = false;
  for (;;) {
    const m = await reader.next();
    if (m.status !== OK && m.status !== COMPLETE) throw saslError(`Expecting OK or COMPLETE status, received ${m.status}`);
    if (!gss.complete) {
      const reply = gss.step(m.payload);
      if (!gss.complete || reply.length > 0) {
        send(OK, reply);
        continue;
      }
    } else if (offered) {
      const user = checkChoice(gss.unwrap(m.payload), gss.peer);
      send(COMPLETE, Buffer.alloc(0));
      return user;
    }
    // context established and acknowledged (or no AP-REP was needed): the security-layer offer
    send(OK, gss.wrap(offer()));
    offered = true;
  }
}

/**
 * Runs the server side of the negotiation on a new connection. Resolves with the client principal; rejects with a
 * FlumeError (FLUME_KERBEROS naming the principal and what to check, or FLUME_THRIFT_SASL) after telling the client.
 */
export async function saslGssapiServer(stream: Duplex, o: SaslServerOptions): Promise<SaslServerResult> {
  const reader = new MessageReader(stream, `${o.peer} closed the connection during SASL negotiation`, o.peer);
  let gss: GssAcceptContext | undefined;
  const timer = setTimeout(
    () => stream.destroy(saslError(`SASL negotiation with ${o.peer} not done after ${o.timeoutMs} ms`)),
    o.timeoutMs,
  );
  try {
    await readStart(reader);
    checkKeytab(o.principal, o.keytab);
    gss = await gssAcceptor(o.principal, o.keytab);
    const user = await negotiate(stream, reader, gss);
    reader.detach(true);
    return { user, rest: reader.rest };
  } catch (e) {
    reader.detach();
    // the client may be gone: our error message can fail (EPIPE) after the reader stops listening
    stream.on('error', () => {});
    const err = explainAcceptError(e, o.principal, o.keytab, gss?.peer ? `${gss.peer} (${o.peer})` : o.peer);
    const status = (e as { saslStatus?: number }).saslStatus ?? ERROR;
    // the client learns what failed on our side, never a path or key material: the principal and MIT's reason
    if (!stream.destroyed) await tellClient(stream, status, clientText(e, o.principal));
    throw err;
  } finally {
    clearTimeout(timer);
    gss?.dispose();
  }
}

function clientText(e: unknown, principal: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Keytab is not a readable file/.test(msg)) return `the server cannot read the keytab of ${principal}`;
  return msg.slice(0, 500);
}
