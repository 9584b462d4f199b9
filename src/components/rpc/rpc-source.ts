/**
 * What the avro and thrift sources share: Flume's SourceCounter bookkeeping around ChannelProcessor calls, and the
 * server lifecycle. A batch goes to the channels as one processEventBatch (one transaction per required channel);
 * when that fails (channel full, …) the client gets FAILED and resends, as with Flume's sources.
 */
import type { ChannelProcessor, EventDrivenSource } from '../../core/source.js';
import type { Event } from '../../core/event.js';
import type { Logger } from '../../core/logging.js';
import { errorMessage } from '../../core/errors.js';
import { allowLogRawData } from '../../core/system-properties.js';
import { sourceCounter, type CounterGroup } from '../../monitoring/counters.js';
import type { RpcServer } from './server.js';

export type RpcStatus = 'OK' | 'FAILED';

export abstract class RpcSource implements EventDrivenSource {
  readonly mode = 'eventDriven' as const;
  readonly counter: CounterGroup;
  protected server: RpcServer<unknown> | undefined;

  constructor(
    readonly name: string,
    protected readonly kind: string,
    protected readonly processor: ChannelProcessor,
    protected readonly logger: Logger,
    protected readonly bind: string,
    protected readonly port: number,
  ) {
    this.counter = sourceCounter(name);
  }

  protected abstract createServer(): RpcServer<unknown>;

  /** The bound port (useful with port 0 in tests). */
  get boundPort(): number {
    return this.server?.port ?? this.port;
  }

  async start(): Promise<void> {
    const server = this.createServer();
    await server.listen();
    this.server = server;
    this.counter.start();
    this.logger.info(`${this.kind} source ${this.name} started on ${this.bind}:${server.port}`);
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
    this.counter.stop();
    this.logger.info({ metrics: this.counter.snapshot() }, `${this.kind} source ${this.name} stopped`);
  }

  protected onConnections = (n: number): void => {
    this.counter.set('OpenConnectionCount', n);
  };

  /**
   * As Flume's AvroSource / ThriftSource at DEBUG: the received events, with their headers and bodies only when
   * -Dorg.apache.flume.log.rawdata=true (LogPrivacyUtil.allowLogRawData).
   */
  private logReceived(events: readonly Event[]): void {
    if (!this.logger.isLevelEnabled('debug')) return;
    if (!allowLogRawData()) {
      this.logger.debug(`${this.kind} source ${this.name}: Received ${events.length} event(s)`);
      return;
    }
    for (const e of events) {
      this.logger.debug({ headers: e.headers, body: e.body.toString('utf8') }, `${this.kind} source ${this.name}: Received event`);
    }
  }

  async append(event: Event): Promise<RpcStatus> {
    this.logReceived([event]);
    const c = this.counter;
    c.increment('AppendReceivedCount');
    c.increment('EventReceivedCount');
    try {
      await this.processor.processEvent(event);
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err) },
        `${this.kind} source ${this.name}: unable to process event, answering FAILED: ${errorMessage(err)}`,
      );
      c.increment('ChannelWriteFail');
      return 'FAILED';
    }
    c.increment('AppendAcceptedCount');
    c.increment('EventAcceptedCount');
    return 'OK';
  }

  async appendBatch(events: Event[]): Promise<RpcStatus> {
    this.logReceived(events);
    const c = this.counter;
    c.increment('AppendBatchReceivedCount');
    c.add('EventReceivedCount', events.length);
    try {
      // the client waits for this answer: wait for the sinks first when the channels ask to (ChannelProcessor.pace)
      const wait = this.processor.pace?.();
      if (wait) await wait;
      await this.processor.processEventBatch(events);
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err), events: events.length },
        `${this.kind} source ${this.name}: unable to process a batch of ${events.length} events, answering FAILED so the client resends: ${errorMessage(err)}`,
      );
      c.increment('ChannelWriteFail');
      return 'FAILED';
    }
    c.increment('AppendBatchAcceptedCount');
    c.add('EventAcceptedCount', events.length);
    return 'OK';
  }
}
