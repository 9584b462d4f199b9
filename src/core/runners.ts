/**
 * Runners: the loops that drive sinks (through their sink processor) and pollable sources.
 *
 * Sinks never sleep Flume's 1–5 s backoff when the channel is empty: they wait for the channel to signal that events
 * were committed (bounded by a timeout so time-based rolls still happen). After a failure they back off
 * exponentially (250 ms doubling up to 5 s, Flume's SinkRunner error sleep) so a broken destination isn't hammered.
 * Pollable sources keep Flume's linear backoff (backoffSleepIncrement up to maxBackoffSleep).
 */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { Channel } from './channel.js';
import type { Logger } from './logging.js';
import type { SinkProcessor } from './sink-processor.js';
import type { PollableSource } from './source.js';
import { errorMessage } from './errors.js';

/** A sleep that ends early when `stopping` resolves. */
function sleep(ms: number, stopping: Promise<void>): Promise<void> {
  let t: NodeJS.Timeout;
  return Promise.race([new Promise<void>((r) => (t = setTimeout(r, ms))), stopping]).finally(() => clearTimeout(t));
}

abstract class Runner {
  protected stopRequested = false;
  private resolveStopping!: () => void;
  protected readonly stopping = new Promise<void>((r) => (this.resolveStopping = r));
  private loopDone: Promise<void> = Promise.resolve();
  protected readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  start(): void {
    this.loopDone = this.loop().catch((err) => this.logger.error({ err: errorMessage(err) }, 'runner loop crashed'));
  }

  /** Stops after the current process() call finishes. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.resolveStopping();
    await this.loopDone;
  }

  protected abstract loop(): Promise<void>;
}

export class SinkRunner extends Runner {
  private readonly processor: SinkProcessor;
  private readonly channels: readonly Channel[];
  /** Longest wait for events before process() runs again anyway (lets sinks roll files on time). */
  idleWaitMs = 1000;

  constructor(processor: SinkProcessor, channels: readonly Channel[], logger: Logger) {
    super(logger);
    this.processor = processor;
    this.channels = [...new Set(channels)];
  }

  private waitForEvents(): Promise<void> {
    return Promise.race([...this.channels.map((c) => c.waitForEvents(this.idleWaitMs)), this.stopping]);
  }

  protected async loop(): Promise<void> {
    let failures = 0;
    let idleBackoffs = 0;
    while (!this.stopRequested) {
      try {
        const status = await this.processor.process();
        failures = 0;
        if (status === 'READY') {
          idleBackoffs = 0;
          await yieldToIo();
        } else if (this.channels.some((c) => c.size() > 0)) {
          // BACKOFF although events are there (e.g. a take failed): don't spin
          idleBackoffs++;
          await sleep(Math.min(idleBackoffs * 100, 1000), this.stopping);
        } else {
          idleBackoffs = 0;
          await this.waitForEvents();
        }
      } catch (err) {
        failures++;
        const delay = Math.min(5000, 250 * 2 ** Math.min(failures - 1, 5));
        this.logger.error(
          { err: errorMessage(err), code: (err as { code?: string }).code, retryInMs: delay },
          'Unable to deliver event. Exception follows.',
        );
        await sleep(delay, this.stopping);
      }
    }
  }
}

export class PollableSourceRunner extends Runner {
  private readonly source: PollableSource;

  constructor(source: PollableSource, logger: Logger) {
    super(logger);
    this.source = source;
  }

  protected async loop(): Promise<void> {
    let backoffs = 0;
    while (!this.stopRequested) {
      try {
        const status = await this.source.process();
        if (status === 'BACKOFF') {
          backoffs++;
          await sleep(Math.min(backoffs * this.source.backoffSleepIncrement, this.source.maxBackoffSleep), this.stopping);
        } else {
          backoffs = 0;
          await yieldToIo();
        }
      } catch (err) {
        this.logger.error({ err: errorMessage(err) }, 'Unhandled exception in source; backing off');
        await sleep(this.source.maxBackoffSleep, this.stopping);
      }
    }
  }
}
