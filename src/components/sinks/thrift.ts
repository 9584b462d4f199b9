/**
 * Flume's ThriftSink (AbstractRpcSink + ThriftRpcClient with one pooled connection): forwards batches to a Thrift
 * source (Flume's or flume-ts') and commits only after it answered OK.
 */
import { defineComponent, prop, type SpecProblem } from '../../config/spec.js';
import { effectiveBatch, effectiveTimeout, rpcSinkChecks, rpcSinkProps, sinkSsl, sinkSslProps } from '../rpc/props.js';
import { RpcSink } from '../rpc/rpc-sink.js';
import { clientSecureOptions, storeProblem } from '../rpc/tls.js';
import type { StreamLayers } from '../rpc/transport.js';
import { ThriftRpcClient } from '../rpc/thrift/client.js';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { claimKerberosPrincipal, kerberosLogin, resolvePrincipal } from '../shared/kerberos.js';
import { saslGssapiClient } from '../rpc/thrift/sasl.js';

interface KerberosProps {
  'client-principal'?: string;
  'client-keytab'?: string;
  'server-principal'?: string;
}

function kerberosChecks(c: KerberosProps): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (!c['server-principal']) {
    out.push({
      prop: 'server-principal',
      message: "Flume in secure mode, but Flume config doesn't specify a server principal to use for Kerberos auth.",
    });
  } else if (c['server-principal'].split(/[/@]/).length !== 3) {
    out.push({ prop: 'server-principal', message: `server-principal "${c['server-principal']}" is not service/host@REALM` });
  }
  if (!c['client-principal'] || !c['client-keytab']) {
    out.push({
      prop: c['client-principal'] ? 'client-keytab' : 'client-principal',
      message: 'kerberos = true needs client-principal and client-keytab in flume-ts (Flume would use the JVM login)',
    });
  }
  return out;
}

/** SASL GSSAPI on each new connection, as the process login (created at configure time: Flume's principal check). */
function saslHandshake(c: KerberosProps, logger: Logger, timeoutMs: number): (s: Duplex) => Promise<void> {
  const principal = c['client-principal']!;
  const keytab = c['client-keytab']!;
  claimKerberosPrincipal(principal, keytab);
  return async (stream) => {
    const login = await kerberosLogin(principal, keytab, logger);
    // Flume: SecurityUtil.getServerPrincipal(server-principal, "") then split at '/' and '@'
    const [service, host] = (await resolvePrincipal(c['server-principal']!)).split(/[/@]/);
    await saslGssapiClient(stream, login, service!, host!, timeoutMs);
  };
}

export const thriftSink = defineComponent({
  kind: 'sink',
  type: 'thrift',
  fqcn: 'org.apache.flume.sink.ThriftSink',
  summary: 'Sends events to a Thrift RPC server (a Flume or flume-ts thrift source).',
  notes:
    'Framed transport, compact or binary protocol, optional TLS. kerberos = true (client-principal, client-keytab, server-principal): ' +
    "SASL GSSAPI on the transport as Flume's SecureThriftRpcClient (QOP auth), tested against Flume 1.11's secure thrift source; " +
    'the login is the process-wide one of docs/security.md (one principal per process, _HOST, re-login from the keytab). ' +
    'flume-ts needs client-principal and client-keytab (Flume would fall back to the JVM login).',
  compatibility: 'partial',
  properties: {
    ...rpcSinkProps,
    protocol: prop.string({
      default: 'compact',
      doc: 'compact or binary (must match the source; anything else uses compact, as in Flume).',
    }),
    ...sinkSslProps,
    'connection-reset-interval': prop.int({
      doc: "The user guide's name; Flume ignores it (it reads reset-connection-interval), and so do we.",
    }),
    kerberos: prop.boolean({ default: false, doc: 'SASL GSSAPI (Kerberos) on the thrift transport.' }),
    'client-principal': prop.string({ doc: 'Kerberos principal of this sink (`_HOST` = canonical local host name).' }),
    'client-keytab': prop.string({ doc: 'Keytab of client-principal.' }),
    'server-principal': prop.string({ doc: "The thrift source's principal, service/host@REALM (Flume's agent-principal there)." }),
    maxConnections: prop.int({ doc: 'Ignored: ThriftSink always uses one connection, as in Flume.' }),
  },
  check: (c) => {
    const out: SpecProblem[] = rpcSinkChecks(c);
    if (c.protocol.toLowerCase() !== 'binary' && c.protocol.toLowerCase() !== 'compact') {
      out.push({
        prop: 'protocol',
        severity: 'warning',
        message: "'binary' or 'compact' are the only valid Thrift protocol types to choose from. Defaulting to 'compact'.",
      });
    } else if (c.protocol !== c.protocol.toLowerCase()) {
      out.push({
        prop: 'protocol',
        severity: 'warning',
        message: `protocol "${c.protocol}" selects compact, as in Flume (only the exact "binary" selects binary)`,
      });
    }
    if (c['connection-reset-interval'] !== undefined) {
      out.push({
        prop: 'connection-reset-interval',
        severity: 'warning',
        message: 'connection-reset-interval is ignored (as in Flume)',
        hint: 'use reset-connection-interval',
      });
    }
    if (c.kerberos) out.push(...kerberosChecks(c));
    const ts = c.ssl ? storeProblem(c.truststore, c['truststore-type'], 'truststore') : undefined;
    if (ts) out.push({ prop: 'truststore', message: ts });
    return out;
  },
  batchSize: (c) => effectiveBatch(c['batch-size']),
  create: (c, ctx) => {
    const batchSize = effectiveBatch(c['batch-size']);
    const layers: StreamLayers = {};
    const ssl = sinkSsl(c, ctx.raw);
    if (ssl.ssl) layers.tls = clientSecureOptions({ ...ssl, trustAllCerts: false }, `Thrift sink ${ctx.name}`);
    const connectTimeoutMs = effectiveTimeout(c['connect-timeout']);
    const requestTimeoutMs = effectiveTimeout(c['request-timeout']);
    const protocol = c.protocol === 'binary' ? 'binary' : 'compact';
    const sasl = c.kerberos ? saslHandshake(c, ctx.logger, connectTimeoutMs) : undefined;
    return new RpcSink(ctx.name, ctx.channel, ctx.logger, {
      kind: 'Thrift',
      hostname: c.hostname,
      port: c.port,
      batchSize,
      resetIntervalS: c['reset-connection-interval'],
      connect: () =>
        ThriftRpcClient.connect({
          host: c.hostname,
          port: c.port,
          connectTimeoutMs,
          requestTimeoutMs,
          batchSize,
          protocol,
          ...layers,
          handshake: sasl,
        }),
    });
  },
});
