/**
 * Flume's KafkaChannel (flume-ng-channels/flume-kafka-channel KafkaChannel.java @ 1.11) on kafkajs: the channel's
 * contents live in a Kafka topic, so they survive a crash of the agent.
 *
 * - Puts are staged in the transaction and produced on commit; commit returns once the brokers acknowledged every
 *   record (producer acks default `all`, as in Flume). A failed send fails the commit (ChannelError): the source rolls
 *   back and retries.
 * - Takes read from a group consumer (started on the first take, like Flume's per-thread consumer, so an agent that only
 *   puts never joins the group). Records are prefetched into a small bounded buffer; a take returns what is buffered.
 *   Commit of a take commits the consumed offsets; as several transactions may hold records of one partition at once,
 *   an offset is committed only up to the oldest record not yet committed. Rollback returns the records to the head of
 *   the buffer (Flume's failedEvents), so they are taken again first. After a rebalance the buffer is dropped and
 *   reading resumes from the committed offsets; records in flight then may be delivered twice, never lost.
 * - parseAsFlumeEvent=true (the default) stores each event as a binary AvroFlumeEvent, byte-compatible with Flume's
 *   Kafka channel; false stores the bare body and reads foreign records as bodies without headers. The record key is
 *   the `key` header and comes back as the `key` header.
 */
import type { Consumer, EachBatchPayload, Producer, Message } from 'kafkajs';
import { kafkajs } from '../shared/lazy.js';
import { defineComponent, prop } from '../../config/spec.js';
import { AbstractChannel, BasicTransaction, type Transaction } from '../../core/channel.js';
import { Deque } from '../../core/deque.js';
import type { Event } from '../../core/event.js';
import { ChannelError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { ClientMapping } from '../kafka/client-config.js';
import { kafkaErrorText } from '../kafka/auth-errors.js';
import { kafkaClient, mappingProblems, mapRole, parsePartition, secretProps } from '../kafka/common.js';
import { ConsumerLoop } from '../kafka/consumer-loop.js';
import { decodeFlumeEvent, decodeFlumeEventAt, encodeFlumeEvent } from '../kafka/flume-event.js';
import { FetchedRecord } from '../kafka/fetch-decoder.js';

export interface KafkaChannelOptions {
  topic: string;
  groupId: string;
  parseAsFlumeEvent: boolean;
  pollTimeout: number;
  defaultPartitionId?: number;
  partitionIdHeader?: string;
  producer: ClientMapping;
  consumer: ClientMapping;
  /** Prefetch bounds (records, body bytes). */
  maxBufferedEvents?: number;
  maxBufferedBytes?: number;
}

/**
 * The records of one partition handed to the buffer together (one fetched batch), up to offset `hi`, and how many of
 * its events are not yet committed by a take (records skipped as unreadable are not counted).
 */
interface Segment {
  partition: number;
  gen: number;
  hi: number;
  outstanding: number;
}

/** Events of one segment in the buffer: events[at…] are still to take. */
interface Run {
  seg: Segment;
  events: Event[];
  at: number;
}

/** What a take transaction holds: its events, and per segment (in take order) how many of them came from it. */
export interface Taken {
  events: Event[];
  parts: Array<{ seg: Segment; n: number }>;
}

/** Per partition, in offset order: the segments handed to the buffer whose offsets are not yet committed. */
class PartitionProgress {
  readonly segments = new Deque<Segment>(16);
  committed = -1;

  /** Advances over fully taken-and-committed segments at the head; returns the offset to commit (next to read). */
  advance(): number | undefined {
    let next: number | undefined;
    while (this.segments.length > 0 && this.segments.peek()!.outstanding === 0) next = this.segments.shift()!.hi + 1;
    if (next !== undefined && next > this.committed) return next;
    return undefined;
  }
}

const EMPTY = Buffer.alloc(0);

export class KafkaChannel extends AbstractChannel {
  readonly transactionCapacity = Number.MAX_SAFE_INTEGER;
  /** The events live in Kafka: nothing to drain on shutdown. */
  readonly durable = true;
  readonly o: KafkaChannelOptions;
  private readonly logger: Logger;
  private producer?: Producer;
  private producerConnected = false;
  private consumer?: Consumer;
  private loop?: ConsumerLoop;
  private readonly buffer = new Deque<Run>(64);
  private bufferedEvents = 0;
  private bufferedBytes = 0;
  /** Offset commits run one at a time, in order; offsets taken meanwhile are merged into the next one. */
  private commitChain: Promise<void> = Promise.resolve();
  private commitQueued?: Map<number, number>;
  private progress = new Map<number, PartitionProgress>();
  /** Bumped on every rebalance/restart of the consumer: records of an older generation are never committed. */
  private gen = 0;
  private drained: Array<() => void> = [];
  private started = false;

  constructor(name: string, logger: Logger, o: KafkaChannelOptions) {
    super(name, ['KafkaEventGetTimer', 'KafkaEventSendTimer', 'KafkaCommitTimer', 'RollbackCount']);
    this.logger = logger;
    this.o = o;
  }

  /** Flume's Kafka channel has no capacity (ChannelFillPercentage reads Double.MAX_VALUE, as in Flume). */
  capacity(): number {
    return 0;
  }

  /**
   * 0, as Flume's Kafka channel reports: the events live in Kafka, so there is nothing to drain on shutdown (records
   * prefetched but not taken are simply read again by the next consumer).
   */
  size(): number {
    return 0;
  }

  /** Records prefetched and ready to take. */
  buffered(): number {
    return this.bufferedEvents;
  }

  override waitForEvents(timeoutMs: number): Promise<void> {
    if (this.bufferedEvents > 0) return Promise.resolve();
    this.ensureConsumer();
    return super.waitForEvents(timeoutMs);
  }

  begin(): Transaction {
    return new KafkaTransaction(this);
  }

  override async start(): Promise<void> {
    await super.start();
    this.started = true;
    for (const i of [...this.o.producer.ignored, ...this.o.consumer.ignored]) this.logger.warn(`${i.key} is ignored: ${i.reason}`);
    const kafka = kafkaClient(this.o.producer, this.logger, `channel ${this.name}`);
    const { acks: _a, timeout: _t, compression: _c, ...producerConfig } = this.o.producer.producer;
    this.producer = kafka.producer({ ...producerConfig, createPartitioner: kafkajs().Partitioners.DefaultPartitioner });
    this.logger.info({ topic: this.o.topic, groupId: this.o.groupId }, 'Kafka channel starting');
    // do not hold the agent's start on the brokers: the first put commit waits for this attempt or tries again
    this.connecting = this.connectProducer().catch((err) => {
      this.logger.warn({ err: errorMessage(err) }, 'Kafka brokers not reachable yet; puts will fail until they are');
    });
  }

  private connecting?: Promise<void>;

  private async connectProducer(): Promise<void> {
    if (this.producerConnected || !this.producer) return;
    await this.producer.connect();
    this.producerConnected = true;
  }

  override async stop(): Promise<void> {
    this.started = false;
    this.wakeDrained();
    await this.commitChain; // offsets of committed takes reach the group while the consumer is still a member
    await this.loop?.stop();
    this.loop = undefined;
    this.consumer = undefined;
    if (this.producer) {
      try {
        await this.producer.disconnect();
      } catch (err) {
        this.logger.warn({ err: errorMessage(err) }, 'error closing the Kafka producer');
      }
      this.producerConnected = false;
    }
    this.resetBuffer();
    await super.stop();
    this.logger.info({ metrics: this.counter.snapshot() }, 'Kafka channel stopped');
  }

  // ---------------------------------------------------------------- puts

  /** @internal Builds the record for a put (KafkaChannel.doPut). Throws ChannelError for a bad partition header. */
  toMessage(e: Event): Message {
    let partition = this.o.defaultPartitionId;
    if (this.o.partitionIdHeader !== undefined) {
      const v = e.headers[this.o.partitionIdHeader];
      if (v !== undefined) {
        partition = parsePartition(v.trim());
        if (partition === undefined)
          throw new ChannelError(`Non integer partition id specified: header ${this.o.partitionIdHeader}="${v}"`);
      }
    }
    const m: Message = {
      key: e.headers.key === undefined ? null : Buffer.from(e.headers.key, 'utf8'),
      value: this.o.parseAsFlumeEvent ? encodeFlumeEvent(e) : e.body,
    };
    if (partition !== undefined) m.partition = partition;
    return m;
  }

  /** @internal */
  async send(messages: Message[]): Promise<void> {
    const t0 = Date.now();
    try {
      await this.connecting;
      await this.connectProducer();
      const { acks, timeout, compression } = this.o.producer.producer;
      await this.producer!.send({ topic: this.o.topic, messages, acks, timeout, compression });
    } catch (err) {
      const why = kafkaErrorText(err, {
        principal: this.o.producer.principal,
        bootstrap: String(this.o.producer.kafka.brokers),
        role: 'producer',
        topics: [this.o.topic],
      });
      this.logger.warn({ err: why, events: messages.length }, 'Sending events to Kafka failed');
      throw new ChannelError(`channel ${this.name}: Commit failed as send to Kafka failed: ${why}`, { cause: err });
    }
    this.counter.add('KafkaEventSendTimer', Date.now() - t0);
    this.counter.add('EventPutSuccessCount', messages.length);
  }

  // ---------------------------------------------------------------- takes

  private ensureConsumer(): void {
    if (this.loop || !this.started) return;
    const kafka = kafkaClient(this.o.consumer, this.logger, `channel ${this.name}`);
    const { fromBeginning, ...consumerConfig } = this.o.consumer.consumer;
    const consumer = kafka.consumer({ ...consumerConfig, groupId: this.o.groupId });
    this.consumer = consumer;
    const newGeneration = (why: string) => {
      this.gen++;
      this.resetBuffer();
      this.logger.debug({ gen: this.gen }, `consumer ${why}; prefetched records dropped`);
    };
    consumer.on(consumer.events.REBALANCING, () => newGeneration('rebalancing'));
    consumer.on(consumer.events.CRASH, () => newGeneration('crashed'));
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      newGeneration('joined');
      this.logger.info({ groupId: e.payload.groupId, assignment: e.payload.memberAssignment }, 'partitions assigned');
    });
    this.loop = new ConsumerLoop(consumer, {
      subscribe: { topics: [this.o.topic], fromBeginning },
      run: { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: (p) => this.onBatch(p) },
      backoffIncrementMs: 1000,
      maxBackoffMs: 5000,
      logger: this.logger,
      explain: (err) =>
        kafkaErrorText(err, {
          principal: this.o.consumer.principal,
          bootstrap: String(this.o.consumer.kafka.brokers),
          role: 'consumer',
          recent: this.o.consumer.recentAuthError,
          topics: [this.o.topic],
          group: this.o.groupId,
        }),
    });
    this.loop.start();
  }

  private resetBuffer(): void {
    this.buffer.clear();
    this.bufferedEvents = 0;
    this.bufferedBytes = 0;
    this.progress = new Map();
    this.wakeDrained();
  }

  private wakeDrained(): void {
    const ws = this.drained;
    this.drained = [];
    for (const w of ws) w();
  }

  private full(): boolean {
    return (
      this.bufferedEvents >= (this.o.maxBufferedEvents ?? 10_000) || this.bufferedBytes >= (this.o.maxBufferedBytes ?? 32 * 1024 * 1024)
    );
  }

  private progressOf(partition: number): PartitionProgress {
    let p = this.progress.get(partition);
    if (!p) this.progress.set(partition, (p = new PartitionProgress()));
    return p;
  }

  /** A record's event, or undefined (logged) when it is not a Flume event. */
  private toEvent(m: EachBatchPayload['batch']['messages'][number], partition: number): Event | undefined {
    try {
      let event: Event;
      if (m instanceof FetchedRecord) {
        const { buf, valueStart: vs, valueEnd: ve } = m;
        if (this.o.parseAsFlumeEvent) event = vs < 0 ? decodeFlumeEvent(EMPTY) : decodeFlumeEventAt(buf, vs, ve);
        else event = { headers: {}, body: vs < 0 ? EMPTY : buf.subarray(vs, ve) };
        if (m.keyStart >= 0) event.headers.key = buf.toString('utf8', m.keyStart, m.keyEnd);
        return event;
      }
      event = this.o.parseAsFlumeEvent ? decodeFlumeEvent(m.value ?? EMPTY) : { headers: {}, body: m.value ?? EMPTY };
      if (m.key !== null && m.key !== undefined) event.headers.key = m.key.toString('utf8');
      return event;
    } catch (err) {
      // Flume fails every take on such a record ("Ensure the setting for parseAsFlumeEvent is correct"), stalling
      // the channel; we log it and step over it.
      this.logger.error(
        { partition, offset: m.offset, err: errorMessage(err) },
        'Error while getting events from Kafka: not a Flume event; skipping it. Ensure the setting for parseAsFlumeEvent is correct',
      );
      return undefined;
    }
  }

  private async onBatch(p: EachBatchPayload): Promise<void> {
    const gen = this.gen;
    const { partition, messages } = p.batch;
    if (messages.length === 0) return;
    // the loop below does not await: running, staleness and the generation are checked once for the whole batch
    if (!p.isRunning() || p.isStale()) return;
    const t0 = Date.now();
    const events: Event[] = [];
    let bytes = 0;
    for (const m of messages) {
      const event = this.toEvent(m, partition);
      if (event) {
        events.push(event);
        bytes += event.body.length;
      }
    }
    const last = messages[messages.length - 1]!;
    const seg: Segment = {
      partition,
      gen,
      hi: last instanceof FetchedRecord ? last.offsetNum : Number(last.offset),
      outstanding: events.length,
    };
    this.progressOf(partition).segments.push(seg);
    if (events.length > 0) {
      this.buffer.push({ seg, events, at: 0 });
      this.bufferedEvents += events.length;
      this.bufferedBytes += bytes;
    }
    p.resolveOffset(last.offset);
    this.counter.add('KafkaEventGetTimer', Date.now() - t0);
    this.notifyAvailable();
    // back-pressure: hold the fetch loop (heartbeating) while the buffer is full
    while (this.full() && gen === this.gen && p.isRunning() && !p.isStale()) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(100, Math.min(this.o.pollTimeout, 1000)));
        this.drained.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      await p.heartbeat();
    }
  }

  /** @internal Takes up to `max` buffered events into `into`. */
  takeBuffered(max: number, into: Taken): void {
    this.ensureConsumer();
    const out = into.events;
    const before = out.length;
    while (out.length - before < max && this.buffer.length > 0) {
      const run = this.buffer.peek()!;
      const n = Math.min(max - (out.length - before), run.events.length - run.at);
      for (let k = 0; k < n; k++) {
        const e = run.events[run.at + k]!;
        out.push(e);
        this.bufferedBytes -= e.body.length;
      }
      run.at += n;
      into.parts.push({ seg: run.seg, n });
      if (run.at === run.events.length) this.buffer.shift();
    }
    this.bufferedEvents -= out.length - before;
    if (out.length > before && !this.full()) this.wakeDrained();
  }

  /**
   * @internal Commits the offsets of taken records (KafkaChannel's commitOffsets after a take transaction). As several
   * transactions may hold records of one partition, an offset is committed only up to the oldest record not yet
   * committed. The offset commit is queued behind the one in flight (merged with others queued meanwhile), not
   * awaited: the take is done once its records are counted; the group's offsets follow (stop waits for them).
   */
  commitTakes(taken: Taken): void {
    const touched: PartitionProgress[] = [];
    for (const { seg, n } of taken.parts) {
      if (seg.gen !== this.gen) continue; // from before a rebalance: the new owner reads it again
      seg.outstanding -= n;
      const prog = this.progressOf(seg.partition);
      if (!touched.includes(prog)) touched.push(prog);
    }
    this.counter.add('EventTakeSuccessCount', taken.events.length);
    let offsets: Map<number, number> | undefined;
    for (const [partition, prog] of this.progress) {
      if (!touched.includes(prog)) continue;
      const next = prog.advance();
      if (next === undefined) continue;
      prog.committed = next;
      (offsets ??= new Map()).set(partition, next);
    }
    if (!offsets || !this.consumer) return;
    if (this.commitQueued) {
      for (const [partition, next] of offsets) this.commitQueued.set(partition, next);
      return;
    }
    this.commitQueued = offsets;
    this.commitChain = this.commitChain.then(() => this.sendCommit());
  }

  private async sendCommit(): Promise<void> {
    const queued = this.commitQueued;
    this.commitQueued = undefined;
    if (!queued || !this.consumer) return;
    const offsets = [...queued].map(([partition, next]) => ({ topic: this.o.topic, partition, offset: String(next) }));
    const t0 = Date.now();
    try {
      await this.consumer.commitOffsets(offsets);
      this.counter.add('KafkaCommitTimer', Date.now() - t0);
    } catch (err) {
      // As Flume ("Error committing offsets"): the events were delivered; if the commit is not repeated by a later
      // one, they are read again after a restart (duplicates, never loss).
      this.logger.warn({ err: errorMessage(err), offsets }, 'Error committing offsets');
      for (const o of offsets) {
        const prog = this.progress.get(o.partition);
        if (prog && prog.committed === Number(o.offset)) prog.committed = Number(o.offset) - 1;
      }
    }
  }

  /** @internal Returns taken records to the head of the buffer (Flume's failedEvents), in their order. */
  rollbackTakes(taken: Taken): void {
    this.counter.add('RollbackCount', taken.events.length);
    const runs: Run[] = [];
    let i = 0;
    for (const { seg, n } of taken.parts) {
      const events = taken.events.slice(i, i + n);
      i += n;
      if (seg.gen !== this.gen) continue;
      runs.push({ seg, events, at: 0 });
      this.bufferedEvents += n;
      for (const e of events) this.bufferedBytes += e.body.length;
    }
    if (runs.length === 0) return;
    this.buffer.unshiftAll(runs);
    this.notifyAvailable();
  }
}

class KafkaTransaction extends BasicTransaction {
  private readonly ch: KafkaChannel;
  private puts: Message[] = [];
  private takes: Taken = { events: [], parts: [] };

  constructor(ch: KafkaChannel) {
    super(ch.name);
    this.ch = ch;
  }

  protected doPut(events: readonly Event[]): void {
    if (this.takes.events.length > 0) throw new ChannelError(`channel ${this.ch.name}: a transaction cannot both put and take`);
    this.ch.counter.add('EventPutAttemptCount', events.length);
    for (const e of events) this.puts.push(this.ch.toMessage(e));
  }

  protected doTake(max: number): Event[] {
    if (this.puts.length > 0) throw new ChannelError(`channel ${this.ch.name}: a transaction cannot both put and take`);
    this.ch.counter.increment('EventTakeAttemptCount');
    const before = this.takes.events.length;
    this.ch.takeBuffered(max, this.takes);
    return before === 0 ? this.takes.events.slice() : this.takes.events.slice(before);
  }

  protected async doCommit(): Promise<void> {
    if (this.puts.length > 0) {
      const puts = this.puts;
      this.puts = [];
      await this.ch.send(puts);
    } else if (this.takes.events.length > 0) {
      const takes = this.takes;
      this.takes = { events: [], parts: [] };
      this.ch.commitTakes(takes);
    }
  }

  protected doRollback(): void {
    this.puts = [];
    if (this.takes.events.length > 0) {
      const takes = this.takes;
      this.takes = { events: [], parts: [] };
      this.ch.rollbackTakes(takes);
    }
  }
}

export const kafkaChannel = defineComponent({
  kind: 'channel',
  type: 'org.apache.flume.channel.kafka.KafkaChannel',
  fqcn: 'org.apache.flume.channel.kafka.KafkaChannel',
  compatibility: 'partial',
  summary: 'Keeps events in a Kafka topic: survives agent crashes; puts commit on broker acknowledgement, takes commit consumer offsets.',
  notes:
    "kafkajs 2.2.4 client. The poll timeout key is kafka.pollTimeout as in Flume's code (the user guide's pollTimeout is " +
    'accepted too); it bounds how long the prefetcher waits when full. auto.offset.reset defaults to earliest, as in ' +
    "Flume's code; producer acks to all. With parseAsFlumeEvent=true records are Flume's binary AvroFlumeEvent, so " +
    "flume-ts and Java Flume Kafka channels read each other's records, and may even share one consumer group (both use " +
    'the range assignor). Records that are not Flume events are logged and skipped (Flume ' +
    'fails every take on them). The channel has no capacity: ChannelFillPercentage is Double.MAX_VALUE as in Flume, ' +
    'and ChannelSize is 0 (the agent does not wait on shutdown to drain a Kafka channel). Consumer and producer properties map as for the Kafka source and sink ' +
    '(see there; with SASL GSSAPI the producer and consumer name the same principal and keytab, as every Kerberos ' +
    'component of an agent must), so kafka.producer.compression.type writes gzip, snappy, lz4 or zstd batches and every codec is read; ' +
    'deprecated brokerList, topic, groupId and readSmallestOffset are read as in Flume; ' +
    'zookeeperConnect/migrateZookeeperOffsets are not supported.',
  properties: {
    'kafka.bootstrap.servers': prop.string({
      required: true,
      aliases: ['brokerList'],
      doc: 'Comma-separated host:port list of Kafka brokers.',
    }),
    'kafka.topic': prop.string({ default: 'flume-channel', aliases: ['topic'], doc: "Topic holding the channel's events." }),
    'kafka.consumer.group.id': prop.string({ default: 'flume', aliases: ['groupId'], doc: "Consumer group of the channel's readers." }),
    parseAsFlumeEvent: prop.boolean({
      default: true,
      doc: 'Store events as binary AvroFlumeEvents (headers kept); false for bodies only.',
    }),
    'kafka.pollTimeout': prop.long({ default: 500, min: 0, aliases: ['pollTimeout'], doc: 'Milliseconds a poll waits for records.' }),
    defaultPartitionId: prop.int({ min: 0, doc: 'Partition every put goes to, unless partitionIdHeader says otherwise.' }),
    partitionIdHeader: prop.string({ doc: 'Header holding the partition id for a put (overrides defaultPartitionId).' }),
    'kafka.consumer.auto.offset.reset': prop.enum(['earliest', 'latest'], {
      default: 'earliest',
      doc: 'Where a group without committed offsets starts.',
    }),
    readSmallestOffset: prop.boolean({
      doc: 'Deprecated: true means auto.offset.reset=earliest, false latest (only when that is not set).',
    }),
    'kafka.producer.acks': prop.string({
      default: 'all',
      check: (v) => (['0', '1', '-1', 'all'].includes(v.trim().toLowerCase()) ? undefined : `"${v}" is not one of 0, 1, -1, all`),
      doc: 'Acknowledgements a put commit waits for: all (default) every in-sync replica, 1 the leader, 0 none.',
    }),
    ...secretProps('producer'),
    ...secretProps('consumer'),
  },
  prefixes: {
    'kafka.producer.': 'Kafka producer properties (mapped as for the Kafka sink).',
    'kafka.consumer.': 'Kafka consumer properties (mapped as for the Kafka source).',
  },
  check: (c, raw) => {
    const m = channelMappings(c, raw);
    return [...mappingProblems(m.producer), ...mappingProblems(m.consumer)];
  },
  create: (c, ctx) => {
    const m = channelMappings(c, ctx.raw);
    return new KafkaChannel(ctx.name, ctx.logger, {
      topic: c['kafka.topic'],
      groupId: c['kafka.consumer.group.id'] || 'flume',
      parseAsFlumeEvent: c.parseAsFlumeEvent,
      pollTimeout: c['kafka.pollTimeout'],
      defaultPartitionId: c.defaultPartitionId,
      partitionIdHeader: c.partitionIdHeader,
      producer: m.producer,
      consumer: m.consumer,
    });
  },
});

function channelMappings(
  c: {
    'kafka.bootstrap.servers': string;
    'kafka.producer.acks': string;
    'kafka.consumer.auto.offset.reset': string;
    readSmallestOffset?: boolean;
  },
  raw: Readonly<Record<string, string>>,
) {
  const bootstrap = c['kafka.bootstrap.servers'];
  const consumerRaw: Record<string, string> = { ...raw };
  if (raw['kafka.consumer.auto.offset.reset'] === undefined && c.readSmallestOffset !== undefined) {
    consumerRaw['kafka.consumer.auto.offset.reset'] = c.readSmallestOffset ? 'earliest' : 'latest';
  }
  return {
    producer: mapRole({ ...raw, 'kafka.producer.acks': c['kafka.producer.acks'] }, 'producer', bootstrap, { defaultAcks: 'all' }),
    consumer: mapRole(consumerRaw, 'consumer', bootstrap, { defaultAutoOffsetReset: 'earliest' }),
  };
}
