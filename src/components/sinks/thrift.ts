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

export const thriftSink = defineComponent({
  kind: 'sink',
  type: 'thrift',
  fqcn: 'org.apache.flume.sink.ThriftSink',
  summary: 'Sends events to a Thrift RPC server (a Flume or flume-ts thrift source).',
  notes: 'Framed transport, compact or binary protocol, optional TLS. Kerberos is not supported.',
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
    kerberos: prop.boolean({ default: false, doc: 'Kerberos (SASL): not supported by flume-ts.' }),
    'client-principal': prop.string({ doc: 'Kerberos (unsupported).' }),
    'client-keytab': prop.string({ doc: 'Kerberos (unsupported).' }),
    'server-principal': prop.string({ doc: 'Kerberos (unsupported).' }),
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
    if (c.kerberos)
      out.push({
        prop: 'kerberos',
        message: 'Kerberos for the thrift sink is not supported by flume-ts',
        hint: 'use ssl = true instead',
        limit: true,
      });
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
    return new RpcSink(ctx.name, ctx.channel, ctx.logger, {
      kind: 'Thrift',
      hostname: c.hostname,
      port: c.port,
      batchSize,
      resetIntervalS: c['reset-connection-interval'],
      connect: () =>
        ThriftRpcClient.connect({ host: c.hostname, port: c.port, connectTimeoutMs, requestTimeoutMs, batchSize, protocol, ...layers }),
    });
  },
});
