/**
 * Flume's AvroSource: serves AvroSourceProtocol (append / appendBatch of AvroFlumeEvent) over Avro IPC with Netty
 * framing, so real Flume avro sinks and the Flume SDK (RpcClient, flume-ng avro-client) can send to it.
 */
import { defineComponent, prop } from '../../config/spec.js';
import type { ChannelProcessor } from '../../core/source.js';
import type { Logger } from '../../core/logging.js';
import { parseIpFilterRules, type IpRule } from '../rpc/ipfilter.js';
import { sourceSsl, sourceSslProps } from '../rpc/props.js';
import { RpcServer } from '../rpc/server.js';
import { RpcSource } from '../rpc/rpc-source.js';
import { globalSsl, serverSecureOptions, storeProblem } from '../rpc/tls.js';
import type { StreamLayers } from '../rpc/transport.js';
import { AvroSession, knownClients } from '../rpc/avro/session.js';

export class AvroSource extends RpcSource {
  private readonly known = knownClients();

  constructor(
    name: string,
    processor: ChannelProcessor,
    logger: Logger,
    bind: string,
    port: number,
    private readonly layers: StreamLayers,
    private readonly ipRules: IpRule[] | undefined,
  ) {
    super(name, 'Avro', processor, logger, bind, port);
  }

  protected createServer(): RpcServer<unknown> {
    return new RpcServer({
      bind: this.bind,
      port: this.port,
      logger: this.logger,
      label: `Avro source ${this.name}`,
      layers: this.layers,
      ipRules: this.ipRules,
      onConnectionCount: this.onConnections,
      newSession: () => new AvroSession(this, this.known),
    }) as RpcServer<unknown>;
  }
}

export const avroSource = defineComponent({
  kind: 'source',
  type: 'avro',
  fqcn: 'org.apache.flume.source.AvroSource',
  summary: 'Receives events from Avro RPC clients: Flume avro sinks, the Flume SDK, flume-ng/flume-ts avro-client.',
  notes:
    'Wire-compatible with Flume 1.x (Avro IPC, Netty framing, deflate, TLS). Key stores must be PKCS12 or PEM ' +
    '(Node cannot read JKS). A batch larger than the channel transactionCapacity is answered FAILED, as in Flume.',
  properties: {
    bind: prop.string({ required: true, doc: 'Host name or IP address to listen on (0.0.0.0 for all).' }),
    port: prop.int({ required: true, min: 0, max: 65535, doc: 'Port to listen on.' }),
    threads: prop.int({ doc: 'Parsed but unused, as in Flume 1.11 (Node serves all connections on one thread).' }),
    'compression-type': prop.string({
      default: 'none',
      doc: 'none or deflate (a zlib stream over the connection; must match the sender).',
    }),
    ...sourceSslProps,
    ipFilter: prop.boolean({ default: false, doc: 'Filter connecting peers with ipFilterRules.' }),
    ipFilterRules: prop.string({
      doc: 'Comma-separated <allow|deny>:<ip|name>:<pattern> rules; the first match wins, no match accepts. Example: allow:ip:127.*,allow:name:localhost,deny:ip:*',
    }),
  },
  check: (c) => {
    const out: { prop: string; message: string; severity?: 'error' | 'warning' }[] = [];
    const ct = c['compression-type'].toLowerCase();
    if (ct !== 'none' && ct !== 'deflate') {
      out.push({
        prop: 'compression-type',
        severity: 'warning',
        message: `compression-type "${c['compression-type']}" is not deflate; no compression is used, as in Flume`,
      });
    }
    if (c.ipFilter) {
      try {
        parseIpFilterRules(c.ipFilterRules ?? '');
      } catch (err) {
        out.push({ prop: 'ipFilterRules', message: (err as Error).message });
      }
    }
    if (c.ssl && !c.keystore && !globalSsl('keystore').path)
      out.push({ prop: 'ssl', message: 'keystore must be specified when SSL is enabled' });
    const ks = c.ssl ? storeProblem(c.keystore, c['keystore-type'], 'keystore') : undefined;
    if (ks) out.push({ prop: 'keystore', message: ks });
    return out;
  },
  create: (c, ctx) => {
    const layers: StreamLayers = {};
    if (c['compression-type'].toLowerCase() === 'deflate') layers.deflateLevel = 6;
    const ssl = sourceSsl(c, ctx.raw);
    if (ssl.ssl) layers.tls = serverSecureOptions(ssl, `Avro source ${ctx.name}`);
    const rules = c.ipFilter ? parseIpFilterRules(c.ipFilterRules ?? '') : undefined;
    if (rules) ctx.logger.info(`Avro source ${ctx.name}: ipFilter with ${rules.length} rules: ${c.ipFilterRules}`);
    return new AvroSource(ctx.name, ctx.processor, ctx.logger, c.bind, c.port, layers, rules);
  },
});
