/** Keeps a kafkajs group consumer running: retries a failed start and restarts after a crash kafkajs gives up on. */
import type { Consumer, ConsumerRunConfig, ConsumerSubscribeTopics } from 'kafkajs';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import { sleep } from './common.js';

export interface ConsumerLoopOptions {
  subscribe: ConsumerSubscribeTopics;
  run: ConsumerRunConfig;
  backoffIncrementMs: number;
  maxBackoffMs: number;
  logger: Logger;
  /** Error text for logs (names principal, operation and resource of an authorization refusal). */
  explain?: (err: unknown) => string;
}

export class ConsumerLoop {
  private stopped = false;
  private running?: Promise<void>;
  private readonly consumer: Consumer;
  private readonly o: ConsumerLoopOptions;

  constructor(consumer: Consumer, o: ConsumerLoopOptions) {
    this.consumer = consumer;
    this.o = o;
    consumer.on(consumer.events.CRASH, (e) => {
      if (this.stopped) return;
      const why = o.explain ? o.explain(e.payload.error) : errorMessage(e.payload.error);
      o.logger.warn({ err: why, restart: e.payload.restart }, 'Kafka consumer crashed');
      // kafkajs restarts by itself after retriable errors; after any other error, start it again ourselves
      if (!e.payload.restart) setTimeout(() => this.start(), o.backoffIncrementMs).unref();
    });
  }

  /** Starts in the background (does not wait for the brokers). */
  start(): void {
    if (this.stopped) return;
    const prev = this.running ?? Promise.resolve();
    this.running = prev.then(() => this.loop());
  }

  private async loop(): Promise<void> {
    let delay = 0;
    while (!this.stopped) {
      try {
        await this.consumer.connect();
        await this.consumer.subscribe(this.o.subscribe);
        await this.consumer.run(this.o.run);
        return;
      } catch (err) {
        if (this.stopped) return;
        delay = Math.min(delay + this.o.backoffIncrementMs, this.o.maxBackoffMs);
        const why = this.o.explain ? this.o.explain(err) : errorMessage(err);
        this.o.logger.warn({ err: why, retryInMs: delay }, 'Kafka consumer could not start; retrying');
        try {
          await this.consumer.disconnect();
        } catch {
          /* not connected */
        }
        await sleep(delay);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    try {
      await this.consumer.disconnect();
    } catch (err) {
      this.o.logger.warn({ err: errorMessage(err) }, 'error closing the Kafka consumer');
    }
  }
}
