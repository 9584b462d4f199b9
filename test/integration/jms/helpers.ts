/** AMQP 1.0 producer and source-pumping helpers for the jms source's integration tests (Artemis). */
import rhea from 'rhea';
import { ReplicatingChannelSelector } from '../../../src/components/selectors/replicating.js';
import { jmsSource } from '../../../src/components/sources/jms/index.js';
import type { JmsSource } from '../../../src/components/sources/jms/jms.js';
import type { MemoryChannel } from '../../../src/components/channels/memory.js';
import { DefaultChannelProcessor } from '../../../src/core/channel-processor.js';
import type { Event } from '../../../src/core/event.js';
import { create, drain, silentLogger } from '../../support/context.js';

export interface Outgoing {
  body: string | Buffer;
  properties?: Record<string, string | number | boolean>;
}

/** Sends messages (durable, settled by the broker) to a queue or topic address; resolves when all are accepted. */
export async function send(
  port: number,
  address: string,
  type: 'queue' | 'topic',
  msgs: Outgoing[],
  login?: { username: string; password: string },
): Promise<void> {
  const c = rhea.create_container({ id: `test-producer-${Date.now()}-${Math.random()}` });
  const conn = c.connect({ host: '127.0.0.1', port, reconnect: false, ...login });
  try {
    await new Promise<void>((resolve, reject) => {
      let acked = 0;
      let sent = 0;
      conn.on('connection_error', (ctx) => reject(ctx.connection.error ?? new Error('connection error')));
      conn.on('disconnected', (ctx) => reject(ctx.error ?? new Error('disconnected')));
      const sender = conn.open_sender({ target: { address, capabilities: [type] } });
      sender.on('sendable', () => {
        while (sent < msgs.length && sender.sendable()) {
          const m = msgs[sent++]!;
          sender.send({
            durable: true,
            application_properties: m.properties,
            body: typeof m.body === 'string' ? m.body : rhea.message.data_section(m.body),
          });
        }
      });
      sender.on('accepted', () => {
        if (++acked === msgs.length) resolve();
      });
      sender.on('rejected', (ctx) => reject(new Error(`rejected: ${JSON.stringify(ctx.delivery.remote_state)}`)));
      if (msgs.length === 0) resolve();
    });
  } finally {
    conn.close();
  }
}

export function processor(ch: MemoryChannel) {
  return new DefaultChannelProcessor(new ReplicatingChannelSelector([ch], []), [], silentLogger);
}

export function jms(raw: Record<string, string>, ch: MemoryChannel, name = 'jms1'): JmsSource {
  return create(jmsSource, raw, { name, processor: processor(ch) }) as JmsSource;
}

export function config(port: number, destinationName: string, destinationType: string, extra: Record<string, string> = {}) {
  return {
    initialContextFactory: 'org.apache.activemq.artemis.jndi.ActiveMQInitialContextFactory',
    providerURL: `tcp://127.0.0.1:${port}`,
    destinationName,
    destinationType,
    pollTimeout: '200',
    ...extra,
  };
}

/** Polls the source (draining the channel into `out` when `drainEach`) until `done` or the time is up. */
export async function pump(
  src: JmsSource,
  ch: MemoryChannel,
  out: Event[],
  done: () => boolean,
  opts: { timeoutMs?: number; drainEach?: boolean } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (!done() && Date.now() < deadline) {
    const st = await src.process();
    if (opts.drainEach !== false) out.push(...(await drain(ch)));
    if (st === 'BACKOFF') await new Promise((r) => setTimeout(r, 50));
  }
  if (opts.drainEach !== false) out.push(...(await drain(ch)));
}

export const bodies = (evs: Event[]) => evs.map((e) => Buffer.from(e.body).toString('utf8'));
