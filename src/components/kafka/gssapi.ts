/**
 * SASL GSSAPI (Kerberos) for kafkajs, as Kafka's Java client does it (SaslClientAuthenticator with the JDK's
 * GssKrb5Client): after the SaslHandshake for GSSAPI, GSS tokens travel in SaslAuthenticate requests until the
 * Kerberos context is established (the client's AP-REQ, the broker's AP-REP, then an empty token); then RFC 4752's
 * security-layer negotiation: the broker's wrapped 4-byte offer is unwrapped and answered, wrapped, with "no security
 * layer", the offered maximum size and the client's principal as authorization id. Kafka uses no SASL security layer.
 *
 * The login is the process-wide keytab login of ../shared/kerberos.ts (Flume's one principal per process); the
 * service principal is `<sasl.kerberos.service.name>/<broker host>`, where the host is the broker's name as Java's
 * InetAddress.getHostName() gives it: a host name as given, an IP address reverse-resolved (127.0.0.1 → localhost).
 * Keytab contents are never read or logged here.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import type { AuthenticationProviderArgs, Authenticator, Mechanism } from 'kafkajs';
import type { Logger } from '../../core/logging.js';
import { FlumeError } from '../../core/errors.js';
import { kerberosLogin } from '../shared/kerberos.js';

/** The Kerberos settings of one Kafka client (from sasl.jaas.config and sasl.kerberos.service.name). */
export interface KafkaKerberosSpec {
  principal: string;
  keytab: string;
  serviceName: string;
}

const WHAT = 'SASL GSSAPI (Kafka)';

/** Java's InetAddress.getHostName() of the address the client connected to. */
export async function brokerHostName(host: string): Promise<string> {
  if (!net.isIP(host)) return host;
  try {
    const { hostname } = await dns.lookupService(host, 0);
    return hostname;
  } catch {
    return host;
  }
}

/** A SaslAuthenticate payload: Kafka's BYTES (int32 length, then the token), as kafkajs's own mechanisms encode it. */
function request(token: Buffer) {
  return {
    encode: async () => {
      const head = Buffer.alloc(4);
      head.writeInt32BE(token.length);
      return Buffer.concat([head, token]);
    },
  };
}

/** kafkajs hands the broker's auth_bytes back as Kafka BYTES again (int32 length first): the token follows. */
const response = {
  decode: async (raw: Buffer | null) =>
    raw && raw.length >= 4 && raw.readInt32BE(0) === raw.length - 4 ? raw.subarray(4) : (raw ?? Buffer.alloc(0)),
  parse: async (b: Buffer) => b,
};

/** kafkajs's `sasl` option for GSSAPI with `spec`. */
export function gssapiMechanism(spec: KafkaKerberosSpec, logger: Logger): Mechanism {
  return {
    mechanism: 'GSSAPI',
    authenticationProvider: (args: AuthenticationProviderArgs): Authenticator => ({
      authenticate: () => authenticate(spec, logger, args),
    }),
  };
}

/**
 * kafkajs has sent the SaslHandshake when the mechanism runs and keeps the connection on failure: a failure on this
 * side (no ticket, no key) would leave the broker expecting a token, and the next attempt's handshake would be refused
 * ("not valid given the current SASL state"). An empty token makes the broker fail the exchange and close the
 * connection, so the next attempt starts afresh.
 */
async function abandon(args: AuthenticationProviderArgs): Promise<void> {
  await args.saslAuthenticate({ request: request(Buffer.alloc(0)), response }).catch(() => undefined);
}

async function authenticate(spec: KafkaKerberosSpec, logger: Logger, args: AuthenticationProviderArgs): Promise<void> {
  try {
    await exchange(spec, logger, args);
  } catch (e) {
    if (!(e instanceof FlumeError && e.message.includes('was refused by the broker'))) await abandon(args);
    throw e;
  }
}

async function exchange(spec: KafkaKerberosSpec, logger: Logger, args: AuthenticationProviderArgs): Promise<void> {
  const login = await kerberosLogin(spec.principal, spec.keytab, logger);
  const host = await brokerHostName(args.host);
  const target = `${spec.serviceName}@${host}`;
  const gss = await login.initiator(spec.serviceName, host, 'krb5', WHAT);
  const b64 = (b: Buffer) => b.toString('base64');
  const send = async (token: string | null): Promise<Buffer> =>
    ((await args.saslAuthenticate({ request: request(Buffer.from(token ?? '', 'base64')), response })) as Buffer | undefined) ??
    Buffer.alloc(0);
  let step = 0;
  try {
    // the context: AP-REQ, AP-REP, then an empty token (the JDK client's answer once the context is established)
    let reply = await send(await gss.step(''));
    while (!gss.contextComplete) {
      if (++step > 10) throw new FlumeError('FLUME_KERBEROS', `${WHAT} with ${target}: no Kerberos context after ${step} round trips`);
      reply = await send(await gss.step(b64(reply)));
    }
    // RFC 4752: the broker's wrapped [security layers | max size]; answer "no security layer" as our principal
    const offer = await gss.unwrap(b64(reply));
    const layers = Buffer.from(offer, 'base64')[0] ?? 0;
    if ((layers & 1) === 0) {
      throw new FlumeError(
        'FLUME_KERBEROS',
        `${WHAT} with ${target}: the broker offers no "no security layer" option (mask ${layers}); Kafka brokers always do`,
      );
    }
    await send(await gss.wrap(offer, { user: login.principal }));
    logger.debug({ principal: login.principal, broker: `${args.host}:${args.port}`, service: target }, 'Kafka SASL GSSAPI authenticated');
  } catch (e) {
    if (e instanceof FlumeError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    // kafkajs's errors for a refusal by the broker (SaslAuthenticate error codes) carry the broker's message
    if (/SASL|Authentication|authenticat/i.test((e as Error)?.name ?? '') || /SaslAuthenticate|authentication/i.test(msg)) {
      throw new FlumeError(
        'FLUME_KERBEROS',
        `${WHAT} as ${login.principal} to ${target} (${args.host}:${args.port}) was refused by the broker: ${msg}; ` +
          `check that the broker's principal is ${spec.serviceName}/${host}@<realm> (sasl.kerberos.service.name) and its GSSAPI listener`,
        { cause: e, retriable: true },
      );
    }
    throw login.explain(e, WHAT, target);
  }
}
