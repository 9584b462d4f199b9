/**
 * Flume's JMSSource (flume-jms-source: JMSSource, JMSMessageConsumer, DefaultJMSMessageConverter) over AMQP 1.0 with
 * rhea: a pollable source that takes up to batchSize messages (waiting at most pollTimeout ms for the first), puts
 * them into the channel in one transaction and only then accepts (settles) them at the broker, the AMQP counterpart
 * of Flume's transacted-session commit. A refused batch is released back to the broker (Flume: session.rollback())
 * and redelivered. A lost connection drops the unsettled messages, which the broker redelivers.
 */
import fs from 'node:fs';
import type { Connection, Delivery, EventContext, Message, Receiver } from 'rhea';
import { ChannelError, FlumeError, errorMessage } from '../../../core/errors.js';
import type { Event } from '../../../core/event.js';
import type { Status } from '../../../core/lifecycle.js';
import type { Logger } from '../../../core/logging.js';
import type { ChannelProcessor, PollableSource } from '../../../core/source.js';
import { type CounterGroup, sourceCounter } from '../../../monitoring/counters.js';
import { rhea } from '../../shared/lazy.js';
import type { Charset } from '../text-codec.js';
import { convertMessage } from './convert.js';
import type { Endpoint } from './url.js';

export interface JmsSourceOptions {
  endpoints: Endpoint[];
  destinationName: string;
  destinationType: 'QUEUE' | 'TOPIC';
  messageSelector: string;
  userName?: string;
  passwordFile?: string;
  batchSize: number;
  charset: Charset;
  createDurableSubscription: boolean;
  durableSubscriptionName: string;
  clientId?: string;
  pollTimeout: number;
  errorThreshold: number;
}

interface Held {
  delivery: Delivery;
  message: Message;
}

/** One AMQP connection + receiving link; closed and replaced as a whole when anything goes wrong. */
class Consumer {
  readonly held: Held[] = [];
  broken?: Error;
  private wake?: () => void;

  constructor(
    readonly connection: Connection,
    readonly receiver: Receiver,
  ) {}

  onMessage(ctx: EventContext): void {
    if (ctx.delivery && ctx.message) this.held.push({ delivery: ctx.delivery, message: ctx.message });
    this.wake?.();
  }

  fail(err: Error): void {
    this.broken ??= err;
    this.held.length = 0; // unsettled deliveries of a dead link: the broker redelivers them
    this.wake?.();
  }

  /** Credit so that held + outstanding credit = batchSize (no more unsettled messages than one batch). */
  topUp(batchSize: number): void {
    const want = batchSize - this.held.length - (this.receiver as unknown as { credit: number }).credit;
    if (want > 0) this.receiver.add_credit(want);
  }

  /** Resolves when a message is held, the link broke, or after `ms`. */
  waitForMessage(ms: number): Promise<void> {
    if (this.held.length > 0 || this.broken) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  close(durable: boolean): void {
    try {
      // detach (not close) keeps a durable subscription at the broker, as closing a JMS durable subscriber does
      if (durable) this.receiver.detach();
      else this.receiver.close();
      this.connection.close();
    } catch {
      // the connection is gone already
    }
  }
}

export class JmsSource implements PollableSource {
  readonly mode = 'pollable' as const;
  readonly backoffSleepIncrement = 1000;
  readonly maxBackoffSleep = 5000;
  readonly counter: CounterGroup;
  private consumer?: Consumer;
  private errors = 0;
  private endpointIndex = 0;

  constructor(
    readonly name: string,
    private readonly opts: JmsSourceOptions,
    private readonly processor: ChannelProcessor,
    private readonly logger: Logger,
  ) {
    this.counter = sourceCounter(name);
  }

  async start(): Promise<void> {
    this.counter.start();
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    if (c) {
      for (const h of c.held) h.delivery.release();
      c.close(this.opts.createDurableSubscription);
    }
    this.counter.stop();
  }

  async process(): Promise<Status> {
    let c: Consumer;
    try {
      c = this.consumer ?? (this.consumer = await this.connect());
    } catch (err) {
      this.onError(err);
      return 'BACKOFF';
    }
    if (c.broken) {
      this.onError(c.broken);
      this.dropConsumer(c);
      return 'BACKOFF';
    }
    c.topUp(this.opts.batchSize);
    await c.waitForMessage(this.opts.pollTimeout);
    const batch = c.held.splice(0, this.opts.batchSize);
    if (batch.length === 0) return c.broken ? this.process() : 'BACKOFF';
    return this.deliver(batch);
  }

  private async deliver(batch: Held[]): Promise<Status> {
    const events: Event[] = batch.map((h) => convertMessage(h.message, this.opts.charset));
    this.counter.increment('AppendBatchReceivedCount');
    this.counter.add('EventReceivedCount', events.length);
    try {
      await this.processor.processEventBatch(events);
    } catch (err) {
      for (const h of batch) h.delivery.release(); // Flume: session.rollback() → redelivered
      if (err instanceof ChannelError) {
        this.logger.warn(
          { err: errorMessage(err) },
          'Error appending event to channel. Channel might be full. Consider increasing the channel capacity or make sure the sinks perform faster.',
        );
        this.counter.increment('ChannelWriteFail');
      } else {
        this.logger.error({ err: errorMessage(err) }, 'Unexpected error processing events');
        this.counter.increment('EventReadFail');
      }
      return 'BACKOFF';
    }
    for (const h of batch) h.delivery.accept(); // Flume: session.commit() after the channel commit
    this.counter.add('EventAcceptedCount', events.length);
    this.counter.increment('AppendBatchAcceptedCount');
    this.errors = 0;
    return 'READY';
  }

  private onError(err: unknown): void {
    this.logger.warn({ err: errorMessage(err), destination: this.opts.destinationName }, 'JMSException consuming events');
    if (++this.errors > this.opts.errorThreshold) {
      this.logger.warn('Exceeded JMSException threshold, closing consumer');
      this.counter.increment('EventReadFail');
      this.errors = 0;
      if (this.consumer) this.dropConsumer(this.consumer);
    }
  }

  private dropConsumer(c: Consumer): void {
    if (this.consumer === c) this.consumer = undefined;
    c.close(this.opts.createDurableSubscription);
  }

  private password(): string | undefined {
    const f = this.opts.passwordFile;
    if (!f) return undefined;
    try {
      return fs.readFileSync(f, 'utf8').trim();
    } catch (err) {
      throw new FlumeError('FLUME_JMS', `JMS source ${this.name}: could not read password file ${f}: ${errorMessage(err)}`);
    }
  }

  /** Opens a connection to the next endpoint and a receiving link; resolves once the link is attached. */
  private connect(): Promise<Consumer> {
    const o = this.opts;
    const ep = o.endpoints[this.endpointIndex++ % o.endpoints.length]!;
    const container = rhea().create_container({ id: o.clientId ?? `flume-ts-${process.pid}-${Date.now()}` });
    const connection = container.connect({
      host: ep.host,
      port: ep.port,
      transport: ep.tls ? 'tls' : 'tcp',
      reconnect: false,
      idle_time_out: 30_000,
      ...(o.userName !== undefined ? { username: o.userName, password: this.password() ?? '' } : {}),
    } as never);
    const where = `${ep.host}:${ep.port}`;
    return new Promise<Consumer>((resolve, reject) => {
      let consumer: Consumer | undefined;
      const fail = (what: string, e?: unknown) => {
        const err = new FlumeError(
          'FLUME_JMS',
          `JMS source ${this.name}: ${what} (${where}, ${o.destinationName})${e ? `: ${describe(e)}` : ''}`,
        );
        if (consumer) consumer.fail(err);
        else {
          try {
            connection.close();
          } catch {}
          reject(err);
        }
      };
      connection.on('disconnected', (ctx: EventContext) => fail('connection lost', ctx.error ?? ctx.connection.error));
      connection.on('connection_error', (ctx: EventContext) => fail('connection refused by the broker', ctx.connection.error));
      connection.on('receiver_error', (ctx: EventContext) => fail('link refused by the broker', ctx.receiver?.error));
      connection.on('receiver_close', () => fail('link closed by the broker'));
      const receiver = connection.open_receiver(this.linkOptions());
      receiver.on('receiver_open', () => {
        consumer = new Consumer(connection, receiver);
        receiver.on('message', (ctx: EventContext) => consumer?.onMessage(ctx));
        this.logger.info({ broker: where, destination: o.destinationName, type: o.destinationType }, 'JMS consumer attached');
        resolve(consumer);
      });
    });
  }

  private linkOptions(): Record<string, unknown> {
    const o = this.opts;
    const source: Record<string, unknown> = {
      address: o.destinationName,
      capabilities: [o.destinationType === 'TOPIC' ? 'topic' : 'queue'],
    };
    if (o.messageSelector) source.filter = rhea().filter.selector(o.messageSelector);
    if (o.createDurableSubscription) {
      source.durable = 2;
      source.expiry_policy = 'never';
    }
    return {
      ...(o.createDurableSubscription ? { name: o.durableSubscriptionName } : {}),
      source,
      autoaccept: false,
      credit_window: 0,
    };
  }
}

function describe(e: unknown): string {
  if (e && typeof e === 'object' && 'condition' in e) {
    const x = e as { condition?: string; description?: string };
    return `${x.condition ?? ''} ${x.description ?? ''}`.trim();
  }
  return errorMessage(e);
}
