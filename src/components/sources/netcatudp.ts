/**
 * Flume's NetcatUdpSource: one event per datagram, the bytes up to the first `\n` (the rest of the datagram is
 * dropped, as in Flume). The sender's address goes to the header named by `remoteAddress` (the key Flume's code reads;
 * the guide calls it remoteAddressHeader, accepted too), formatted like Java's InetSocketAddress (`/1.2.3.4:5678`).
 * A datagram the channel refuses is dropped with a warning (UDP has no way to say FAILED).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { defineComponent, prop } from '../../config/spec.js';
import type { ChannelProcessor, EventDrivenSource } from '../../core/source.js';
import type { Logger } from '../../core/logging.js';
import { errorMessage } from '../../core/errors.js';

export class NetcatUdpSource implements EventDrivenSource {
  readonly mode = 'eventDriven';
  readonly name: string;
  private socket?: dgram.Socket;
  private readonly o: { bind: string; port: number; remoteAddress?: string };
  private readonly processor: ChannelProcessor;
  private readonly logger: Logger;
  private chain: Promise<void> = Promise.resolve();

  constructor(name: string, o: { bind: string; port: number; remoteAddress?: string }, processor: ChannelProcessor, logger: Logger) {
    this.name = name;
    this.o = o;
    this.processor = processor;
    this.logger = logger;
  }

  get boundPort(): number | undefined {
    return this.socket?.address().port;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const type = net.isIPv6(this.o.bind) ? 'udp6' : 'udp4';
      const s = dgram.createSocket({ type, reuseAddr: true });
      s.once('error', reject);
      s.on('message', (msg, rinfo) => {
        const nl = msg.indexOf(0x0a);
        const body = nl < 0 ? msg : msg.subarray(0, nl);
        const headers: Record<string, string> = {};
        if (this.o.remoteAddress) headers[this.o.remoteAddress] = `/${rinfo.address}:${rinfo.port}`;
        // keep arrival order across async commits
        this.chain = this.chain.then(() =>
          this.processor
            .processEvent({ headers, body })
            .catch((err) => this.logger.warn({ err: errorMessage(err) }, 'Error processing event; datagram dropped')),
        );
      });
      s.bind(this.o.port, this.o.bind, () => {
        s.off('error', reject);
        s.on('error', (err) => this.logger.error({ err: errorMessage(err) }, 'udp socket error'));
        this.socket = s;
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    await this.chain;
  }
}

export const netcatUdpSource = defineComponent({
  kind: 'source',
  type: 'netcatudp',
  fqcn: 'org.apache.flume.source.NetcatUdpSource',
  summary: 'One event per UDP datagram (up to its first newline).',
  properties: {
    bind: prop.string({ required: true, doc: 'Host name or IP address to listen on.' }),
    port: prop.int({ required: true, min: 0, max: 65535, doc: 'UDP port to listen on.' }),
    remoteAddress: prop.string({
      aliases: ['remoteAddressHeader'],
      doc: "Header that receives the sender address (`/ip:port`). Flume's code reads this key; its guide says remoteAddressHeader.",
    }),
  },
  create: (c, ctx) => new NetcatUdpSource(ctx.name, c, ctx.processor, ctx.logger),
});
