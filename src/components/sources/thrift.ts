/**
 * Flume's ThriftSource: serves ThriftSourceProtocol (append / appendBatch of ThriftFlumeEvent) over Thrift's framed
 * transport with the compact (default) or binary protocol, optionally in TLS.
 */
import type { Duplex } from 'node:stream';
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
import { saslGssapiServer } from '../rpc/thrift/sasl-server.js';
import { claimKerberosPrincipal, resolvePrincipal } from '../shared/kerberos.js';

/** kerberos = true: the SASL GSSAPI negotiation each connection goes through before its first request. */
export interface ThriftSasl {
  principal: string;
  keytab: string;
}

const SASL_TIMEOUT_MS = 30_000;

export class ThriftSource extends RpcSource {
  constructor(
    name: string,
    processor: ChannelProcessor,
    logger: Logger,
    bind: string,
    port: number,
    private readonly layers: StreamLayers,
    readonly protocol: ProtocolName,
    private readonly sasl?: ThriftSasl,
  ) {
    super(name, 'Thrift', processor, logger, bind, port);
  }

  /** Flume's SecurityUtil.getServerPrincipal(agent-principal, ""), resolved once per start. */
  private servicePrincipal: Promise<string> | undefined;

  private handshake(sasl: ThriftSasl): (stream: Duplex, peer: string) => Promise<Buffer> {
    return async (stream, peer) => {
      this.servicePrincipal ??= resolvePrincipal(sasl.principal);
      const principal = await this.servicePrincipal;
      const r = await saslGssapiServer(stream, { principal, keytab: sasl.keytab, peer, timeoutMs: SASL_TIMEOUT_MS });
      this.logger.debug({ peer, user: r.user }, `Thrift source ${this.name}: ${peer} authenticated as ${r.user}`);
      return r.rest;
    };
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
      handshake: this.sasl ? this.handshake(this.sasl) : undefined,
    }) as RpcServer<unknown>;
  }
}

/** Flume checks the value case-insensitively but selects binary only on an exact "binary". */
export const thriftProtocolOf = (v: string): ProtocolName => (v === 'binary' ? 'binary' : 'compact');

/** Flume's checks of agent-principal / agent-keytab (getAuthenticator's, and a principal its SASL server can split). */
function kerberosChecks(c: { kerberos: boolean; 'agent-principal'?: string; 'agent-keytab'?: string }): SpecProblem[] {
  const principal = c['agent-principal'];
  const keytab = c['agent-keytab'];
  if (!principal && keytab) return [{ prop: 'agent-principal', message: 'Principal can not be null when keytab is provided' }];
  if (principal && !keytab) return [{ prop: 'agent-keytab', message: 'Keytab can not be null when Principal is provided' }];
  if (!c.kerberos) return [];
  if (!principal) return [{ prop: 'agent-principal', message: 'kerberos = true needs agent-principal and agent-keytab' }];
  if (principal.split(/[/@]/).length !== 3) {
    return [
      {
        prop: 'agent-principal',
        message: `agent-principal "${principal}" is not service/host@REALM (clients name it as server-principal)`,
      },
    ];
  }
  return [];
}

export const thriftSource = defineComponent({
  kind: 'source',
  type: 'thrift',
  fqcn: 'org.apache.flume.source.ThriftSource',
  summary: 'Receives events from Thrift RPC clients: Flume thrift sinks and the Flume SDK ThriftRpcClient.',
  notes:
    'Framed transport, compact or binary protocol, optional TLS. kerberos = true (agent-principal, agent-keytab): SASL GSSAPI ' +
    "on the transport as Flume's ThriftSource (libthrift's TSaslServerTransport, QOP auth, the authorization id must be the " +
    "client's principal), tested with Flume 1.11's secure thrift sink and ours. One principal and keytab per process as in " +
    'Flume; a missing keytab or a principal without a key is logged per connection (the source stays up and clients retry) ' +
    'where Flume refuses the source at configure time. Needs the optional koffi module and MIT libgssapi_krb5.',
  compatibility: 'partial',
  properties: {
    bind: prop.string({ required: true, doc: 'Host name or IP address to listen on.' }),
    port: prop.int({ required: true, min: 0, max: 65535, doc: 'Port to listen on.' }),
    threads: prop.int({ default: 0, doc: 'Accepted for compatibility; Node serves all connections on one thread.' }),
    protocol: prop.string({ default: 'compact', doc: 'compact or binary (must match the sender).' }),
    ...sourceSslProps,
    kerberos: prop.boolean({ default: false, doc: 'SASL GSSAPI (Kerberos) authentication of every client connection.' }),
    'agent-principal': prop.string({
      doc: 'Kerberos principal of this source, service/host@REALM (`_HOST` = canonical local host name); clients name it as server-principal.',
    }),
    'agent-keytab': prop.string({ doc: 'Keytab with the key of agent-principal.' }),
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
    out.push(...kerberosChecks(c));
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
    let sasl: ThriftSasl | undefined;
    if (c.kerberos) {
      // Flume's FlumeAuthenticationUtil.getAuthenticator at configure time: one principal and keytab per agent
      claimKerberosPrincipal(c['agent-principal']!, c['agent-keytab']!);
      sasl = { principal: c['agent-principal']!, keytab: c['agent-keytab']! };
    }
    return new ThriftSource(ctx.name, ctx.processor, ctx.logger, c.bind, c.port, layers, thriftProtocolOf(c.protocol), sasl);
  },
});
