/**
 * Flume's AvroSink (AbstractRpcSink + NettyAvroRpcClient): forwards batches to an Avro RPC server — a Flume or
 * flume-ts avro source — and commits only after it answered OK.
 */
import { defineComponent, prop } from '../../config/spec.js';
import { effectiveBatch, effectiveTimeout, rpcSinkChecks, rpcSinkProps, sinkSsl, sinkSslProps } from '../rpc/props.js';
import { RpcSink } from '../rpc/rpc-sink.js';
import { clientSecureOptions, storeProblem } from '../rpc/tls.js';
import type { StreamLayers } from '../rpc/transport.js';
import { AvroRpcClient } from '../rpc/avro/client.js';

export const avroSink = defineComponent({
  kind: 'sink',
  type: 'avro',
  fqcn: 'org.apache.flume.sink.AvroSink',
  summary: 'Sends events to an Avro RPC server (a Flume or flume-ts avro source): the usual link between tiers.',
  notes:
    "Wire-compatible with Flume 1.x. One connection per sink, as Flume's default client; client.type failover/" +
    'loadbalance are not supported here (use a sink group). Trust stores must be PKCS12 or PEM. To a flume-ts avro ' +
    'source the sink sends the next batch before the one before is answered (batches-in-flight, default 2; each batch ' +
    'its own transaction, committed in order when answered); to a Flume avro source one batch at a time, as Flume ' +
    '(docs/rpc.md, "Batches in flight").',
  properties: {
    ...rpcSinkProps,
    'compression-type': prop.string({ default: 'none', doc: 'none or deflate (must match the receiving source).' }),
    'compression-level': prop.int({ default: 6, min: 0, max: 9, doc: 'zlib level for deflate, 0-9.' }),
    ...sinkSslProps,
    'trust-all-certs': prop.boolean({ default: false, doc: 'Accept any server certificate (no chain check).' }),
    maxIoWorkers: prop.int({ doc: 'Ignored, as in Flume 1.11 ("no longer supported").' }),
    'batches-in-flight': prop.int({
      default: 2,
      min: 1,
      max: 64,
      doc:
        'flume-ts only: batches sent before the oldest is answered, each its own transaction, committed when its answer ' +
        'comes back, in order. Used only with a flume-ts avro source, which says in its handshake that it answers a ' +
        "connection's requests in order; to any other server (Flume's avro source may store two batches of one " +
        'connection in either order) and with 1, one batch at a time, as Flume.',
    }),
  },
  check: (c) => {
    const out = rpcSinkChecks(c);
    const ct = c['compression-type'].toLowerCase();
    if (ct !== 'none' && ct !== 'deflate') {
      out.push({
        prop: 'compression-type',
        severity: 'warning',
        message: `compression-type "${c['compression-type']}" is not deflate; no compression is used, as in Flume`,
      });
    }
    if (c.maxIoWorkers !== undefined)
      out.push({ prop: 'maxIoWorkers', severity: 'warning', message: 'maxIoWorkers is no longer supported (ignored, as in Flume 1.11)' });
    const ts = c.ssl && !c['trust-all-certs'] ? storeProblem(c.truststore, c['truststore-type'], 'truststore') : undefined;
    if (ts) out.push({ prop: 'truststore', message: ts });
    return out;
  },
  batchSize: (c) => effectiveBatch(c['batch-size']),
  create: (c, ctx) => {
    const batchSize = effectiveBatch(c['batch-size']);
    const layers: StreamLayers = {};
    if (c['compression-type'].toLowerCase() === 'deflate') layers.deflateLevel = c['compression-level'];
    const ssl = sinkSsl(c, ctx.raw);
    if (ssl.ssl) layers.tls = clientSecureOptions({ ...ssl, trustAllCerts: c['trust-all-certs'] }, `Avro sink ${ctx.name}`);
    const connectTimeoutMs = effectiveTimeout(c['connect-timeout']);
    const requestTimeoutMs = effectiveTimeout(c['request-timeout']);
    return new RpcSink(ctx.name, ctx.channel, ctx.logger, {
      kind: 'Avro',
      hostname: c.hostname,
      port: c.port,
      batchSize,
      resetIntervalS: c['reset-connection-interval'],
      inFlight: c['batches-in-flight'],
      connect: () => AvroRpcClient.connect({ host: c.hostname, port: c.port, connectTimeoutMs, requestTimeoutMs, batchSize, ...layers }),
    });
  },
});
