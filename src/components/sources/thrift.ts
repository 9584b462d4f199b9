/**
 * Flume's ThriftSource: serves ThriftSourceProtocol (append / appendBatch of ThriftFlumeEvent) over Thrift's framed
 * transport with the compact (default) or binary protocol, optionally in TLS.
 */
import { defineComponent, prop, type SpecProblem } from '../../config/spec.js';
import type { ChannelProcessor } from '../../core/source.js';
import type { Logger } from '../../core/logging.js';
import { sourceSsl, sourceSslProps } from '../rpc/props.js';
import { RpcServer } from '../rpc/server.js';
import { RpcSource } from '../rpc/rpc-source.js';
import { globalSsl, serverSecureOptions, storeProblem } from '../rpc/tls.js';
import type { StreamLayers } from '../rpc/transport.js';
import { ThriftSession } from '../rpc/thrift/session.js';
import type { ProtocolName } from '../rpc/thrift/protocol.js';

export class ThriftSource extends RpcSource {
  constructor(
    name: string,
    processor: ChannelProcessor,
    logger: Logger,
    bind: string,
    port: number,
    private readonly layers: StreamLayers,
    readonly protocol: ProtocolName,
  ) {
    super(name, 'Thrift', processor, logger, bind, port);
  }

  protected createServer(): RpcServer<unknown> {
    return new RpcServer({
      bind: this.bind,
      port: this.port,
      logger: this.logger,
      label: `Thrift source ${this.name}`,
      layers: this.layers,
      onConnectionCount: this.onConnections,
      newSession: () => new ThriftSession(this, this.protocol),
    }) as RpcServer<unknown>;
  }
}

/** Flume checks the value case-insensitively but selects binary only on an exact "binary". */
export const thriftProtocolOf = (v: string): ProtocolName => (v === 'binary' ? 'binary' : 'compact');

export const thriftSource = defineComponent({
  kind: 'source',
  type: 'thrift',
  fqcn: 'org.apache.flume.source.ThriftSource',
  summary: 'Receives events from Thrift RPC clients: Flume thrift sinks and the Flume SDK ThriftRpcClient.',
  notes: 'Framed transport, compact or binary protocol, optional TLS. Kerberos (SASL) is not supported.',
  compatibility: 'partial',
  properties: {
    bind: prop.string({ required: true, doc: 'Host name or IP address to listen on.' }),
    port: prop.int({ required: true, min: 0, max: 65535, doc: 'Port to listen on.' }),
    threads: prop.int({ default: 0, doc: 'Accepted for compatibility; Node serves all connections on one thread.' }),
    protocol: prop.string({ default: 'compact', doc: 'compact or binary (must match the sender).' }),
    ...sourceSslProps,
    kerberos: prop.boolean({ default: false, doc: 'Kerberos (SASL) authentication: not supported by flume-ts.' }),
    'agent-principal': prop.string({ doc: 'Kerberos principal (unsupported).' }),
    'agent-keytab': prop.string({ doc: 'Kerberos keytab (unsupported).' }),
  },
  check: (c) => {
    const out: SpecProblem[] = [];
    const p = c.protocol.toLowerCase();
    if (p !== 'binary' && p !== 'compact')
      out.push({ prop: 'protocol', message: 'binary or compact are the only valid Thrift protocol types to choose from.' });
    else if (c.protocol !== p)
      out.push({
        prop: 'protocol',
        severity: 'warning',
        message: `protocol "${c.protocol}" selects compact, as in Flume (only the exact "binary" selects binary)`,
      });
    if (c.kerberos)
      out.push({
        prop: 'kerberos',
        message: 'Kerberos (SASL) for the thrift source is not supported by flume-ts',
        hint: 'use ssl = true instead',
        limit: true,
      });
    if (c.ssl && !c.keystore && !globalSsl('keystore').path)
      out.push({ prop: 'ssl', message: 'keystore must be specified when SSL is enabled' });
    const ks = c.ssl ? storeProblem(c.keystore, c['keystore-type'], 'keystore') : undefined;
    if (ks) out.push({ prop: 'keystore', message: ks });
    return out;
  },
  create: (c, ctx) => {
    const layers: StreamLayers = {};
    const ssl = sourceSsl(c, ctx.raw);
    if (ssl.ssl) layers.tls = serverSecureOptions(ssl, `Thrift source ${ctx.name}`);
    return new ThriftSource(ctx.name, ctx.processor, ctx.logger, c.bind, c.port, layers, thriftProtocolOf(c.protocol));
  },
});
