/**
 * Flume's KafkaSource (flume-ng-sources/flume-kafka-source KafkaSource.java @ 1.11) on kafkajs, event-driven: a kafkajs
 * group consumer fetches; records are gathered (across partitions) until batchSize records are in hand or
 * batchDurationMillis passed, and each batch is put through the ChannelProcessor. The consumed offsets are committed
 * only after the channel transaction committed (auto-commit is off, as in Flume). A failed put is retried with the same events (linear backoff up to
 * maxBackoffSleep) while this consumer still owns the partition; once it no longer does (rebalance, stop) the batch is
 * left uncommitted and whoever owns the partition next reads it again from the last committed offset. So a rebalance
 * never loses or skips a message; duplicates are possible, as in Flume (at-least-once).
 *
 * Headers, as Flume 1.11 sets them: with useFlumeEventFormat the value's AvroFlumeEvent headers come first; then
 * `timestamp` = record timestamp (if absent), `header.NAME = kafkaHeader` copies, the topic header (setTopicHeader,
 * if absent), `partition` and `offset` (if absent), and `key` = record key (always, when the record has one).
 */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { defineComponent, prop, subProperties } from '../../config/spec.js';
import type { Event } from '../../core/event.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { ChannelProcessor, EventDrivenSource } from '../../core/source.js';
import { sourceCounter, type CounterGroup } from '../../monitoring/counters.js';
import type { ClientMapping } from '../kafka/client-config.js';
import { kafkaErrorText } from '../kafka/auth-errors.js';
import { kafkaClient, mappingProblems, mapRole, secretProps, sleep, splitTopics } from '../kafka/common.js';
import { decodeFlumeEvent, decodeFlumeEventAt } from '../kafka/flume-event.js';
import { FetchedRecord } from '../kafka/fetch-decoder.js';
import { ConsumerLoop } from '../kafka/consumer-loop.js';

export interface KafkaSourceOptions {
  topics?: string[];
  topicsRegex?: RegExp;
  groupId: string;
  batchSize: number;
  batchDurationMillis: number;
  backoffSleepIncrement: number;
  maxBackoffSleep: number;
  useFlumeEventFormat: boolean;
  setTopicHeader: boolean;
  topicHeader: string;
  /** Flume header name → Kafka header name. */
  headerMap: Record<string, string>;
  client: ClientMapping;
}

/** Builds the Flume event for one Kafka record, with KafkaSource.doProcess's header rules. Exported for unit tests. */
export function toEvent(
  topic: string,
  partition: number,
  m: Pick<KafkaMessage, 'key' | 'value' | 'timestamp' | 'offset' | 'headers'>,
  o: Pick<KafkaSourceOptions, 'useFlumeEventFormat' | 'setTopicHeader' | 'topicHeader' | 'headerMap'>,
): Event {
  let headers: Record<string, string>;
  let body: Buffer;
  const value = m.value ?? Buffer.alloc(0);
  if (o.useFlumeEventFormat) {
    const e = decodeFlumeEvent(value);
    headers = e.headers;
    body = e.body;
  } else {
    headers = {};
    body = value;
  }
  if (headers.timestamp === undefined) headers.timestamp = String(m.timestamp);
  copyMappedHeaders(headers, m.headers, o.headerMap);
  if (o.setTopicHeader && headers[o.topicHeader] === undefined) headers[o.topicHeader] = topic;
  if (headers.partition === undefined) headers.partition = String(partition);
  if (headers.offset === undefined) headers.offset = m.offset;
  if (m.key !== null && m.key !== undefined) headers.key = m.key.toString('utf8');
  return { headers, body };
}

const EMPTY = Buffer.alloc(0);
const PARTITIONS = Array.from({ length: 256 }, (_, i) => String(i));
const partitionString = (p: number): string => PARTITIONS[p] ?? String(p);

/**
 * toEvent for a record of the one-pass fetch decoder (fetch-decoder.ts): the same event, read from the positions
 * and numbers of the record without kafkajs' per-record buffers and strings. `partition` is the partition's string.
 */
export function recordEvent(
  topic: string,
  partition: string,
  r: FetchedRecord,
  o: Pick<KafkaSourceOptions, 'useFlumeEventFormat' | 'setTopicHeader' | 'topicHeader' | 'headerMap'>,
  mapped: boolean,
): Event {
  let headers: Record<string, string>;
  let body: Buffer;
  const { buf, valueStart, valueEnd } = r;
  if (o.useFlumeEventFormat) {
    const e = valueStart < 0 ? decodeFlumeEvent(EMPTY) : decodeFlumeEventAt(buf, valueStart, valueEnd);
    headers = e.headers;
    body = e.body;
  } else {
    headers = {};
    body = valueStart < 0 ? EMPTY : buf.subarray(valueStart, valueEnd);
  }
  if (headers.timestamp === undefined) headers.timestamp = r.timestamp;
  if (mapped) copyMappedHeaders(headers, r.headers, o.headerMap);
  if (o.setTopicHeader && headers[o.topicHeader] === undefined) headers[o.topicHeader] = topic;
  if (headers.partition === undefined) headers.partition = partition;
  if (headers.offset === undefined) headers.offset = String(r.offsetNum);
  if (r.keyStart >= 0) headers.key = buf.toString('utf8', r.keyStart, r.keyEnd);
  return { headers, body };
}

function copyMappedHeaders(
  headers: Record<string, string>,
  kafkaHeaders: Record<string, unknown> | undefined,
  headerMap: Record<string, string>,
) {
  for (const flumeName of Object.keys(headerMap)) {
    const v = kafkaHeaders?.[headerMap[flumeName]!];
    if (v === undefined) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) headers[flumeName] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
}

export class KafkaSource implements EventDrivenSource {
  readonly mode = 'eventDriven' as const;
  readonly name: string;
  readonly counter: CounterGroup;
  private readonly o: KafkaSourceOptions;
  private readonly processor: ChannelProcessor;
  private readonly logger: Logger;
  private loop?: ConsumerLoop;
  private consumer?: Consumer;
  private gen = 0;
  private pending: Gathered = emptyBatch(0);
  private flushTimer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private commits: Promise<void> = Promise.resolve();
  private commitQueued?: { gen: number; offsets: Gathered['offsets'] };
  private stopping = false;
  /** header.NAME mappings are configured (Kafka headers must be read). */
  private readonly mapped: boolean;

  constructor(name: string, processor: ChannelProcessor, logger: Logger, o: KafkaSourceOptions) {
    this.name = name;
    this.processor = processor;
    this.logger = logger;
    this.o = o;
    this.mapped = Object.keys(o.headerMap).length > 0;
    this.counter = sourceCounter(name, ['KafkaEventGetTimer', 'KafkaCommitTimer', 'KafkaEmptyCount']);
  }

  async start(): Promise<void> {
    this.counter.start();
    for (const i of this.o.client.ignored) this.logger.warn(`${i.key} is ignored: ${i.reason}`);
    const kafka = kafkaClient(this.o.client, this.logger, `source ${this.name}`);
    const { fromBeginning, ...consumerConfig } = this.o.client.consumer;
    const consumer = kafka.consumer({ ...consumerConfig, groupId: this.o.groupId });
    this.consumer = consumer;
    this.stopping = false;
    consumer.on(consumer.events.REBALANCING, () => this.newGeneration());
    consumer.on(consumer.events.CRASH, () => this.newGeneration());
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.newGeneration();
      this.logger.info({ groupId: e.payload.groupId, assignment: e.payload.memberAssignment }, 'partitions assigned');
    });
    this.logger.info({ topics: String(this.o.topicsRegex ?? this.o.topics), groupId: this.o.groupId }, 'Kafka source starting');
    // connects, subscribes and runs in the background, so the agent starts while the brokers are down
    this.loop = new ConsumerLoop(consumer, {
      subscribe: { topics: this.o.topicsRegex ? [this.o.topicsRegex] : this.o.topics!, fromBeginning },
      run: { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: (p) => this.onBatch(p) },
      backoffIncrementMs: this.o.backoffSleepIncrement,
      maxBackoffMs: this.o.maxBackoffSleep,
      logger: this.logger,
      explain: (err) =>
        kafkaErrorText(err, {
          principal: this.o.client.principal,
          bootstrap: String(this.o.client.kafka.brokers),
          role: 'consumer',
          recent: this.o.client.recentAuthError,
          topics: this.o.topics ?? [String(this.o.topicsRegex)],
          group: this.o.groupId,
        }),
    });
    this.loop.start();
  }

  /**
   * Like Flume's doProcess loop, records are gathered into one channel batch until batchSize records are in hand or
   * batchDurationMillis passed since the first one, across partitions. The fetch position advances as records are
   * gathered (resolveOffset); the group's committed offsets only after the batch is in the channel.
   */
  private async onBatch(p: EachBatchPayload): Promise<void> {
    const gen = this.gen;
    const { topic, partition, messages } = p.batch;
    if (messages.length === 0) return;
    const key = `${topic}\u0000${partition}`;
    let i = 0;
    while (i < messages.length) {
      // running, staleness (a seek) and the generation (a rebalance) change only while this awaits: checked once per
      // stretch of records gathered synchronously, and the offsets recorded and resolved once per stretch
      if (!p.isRunning() || p.isStale() || gen !== this.gen) return;
      const batch = this.pending;
      if (batch.events.length === 0 && batch.offsets.size === 0) batch.firstAt = Date.now();
      let last: string | undefined;
      const start = i;
      for (; i < messages.length && batch.events.length < this.o.batchSize; i++) this.gather(batch, topic, partition, messages[i]!);
      if (i > start) last = messages[i - 1]!.offset;
      if (last !== undefined) {
        batch.offsets.set(key, { topic, partition, offset: last });
        p.resolveOffset(last);
      }
      if (batch.events.length >= this.o.batchSize) {
        await this.flushHeartbeating(p);
        // the channel's sinks take this batch before the next is gathered: without this turn of the event loop a whole
        // fetch (~27 000 records of 100 B at 1 MiB per partition) is put in one run of microtasks, and the events wait
        // in the channel long enough to survive young-generation collections (3x the GC time, measured)
        await yieldToIo();
      }
    }
    if (gen === this.gen && this.pending.offsets.size > 0) this.scheduleFlush();
  }

  private gather(batch: Gathered, topic: string, partition: number, m: KafkaMessage): void {
    try {
      batch.events.push(
        m instanceof FetchedRecord
          ? recordEvent(topic, partitionString(partition), m, this.o, this.mapped)
          : toEvent(topic, partition, m, this.o),
      );
    } catch (err) {
      // Flume's source fails the whole poll on an undecodable record and retries it forever; we skip it loudly.
      this.counter.increment('EventReadFail');
      this.logger.error(
        { topic, partition, offset: m.offset, err: errorMessage(err) },
        'cannot read Kafka record; skipping it (check useFlumeEventFormat)',
      );
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.stopping) return;
    const wait = Math.max(0, this.pending.firstAt + this.o.batchDurationMillis - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, wait);
  }

  /** Flushes, heartbeating meanwhile so that a slow channel does not cost the group membership. */
  private async flushHeartbeating(p: EachBatchPayload): Promise<void> {
    let done = false;
    const f = this.flush().finally(() => (done = true));
    while (!done) {
      await Promise.race([f, sleep(1000)]);
      if (!done) await p.heartbeat(); // throws when the group rebalances: the batch is then dropped, not committed
    }
  }

  /** Queues a flush of what is gathered now; flushes run one at a time, in order. */
  private flush(): Promise<void> {
    this.chain = this.chain
      .then(() => this.doFlush())
      .catch((err) => this.logger.error({ err: errorMessage(err) }, 'Kafka source batch failed; it will be read again'));
    return this.chain;
  }

  private async doFlush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const batch = this.pending;
    this.pending = emptyBatch(this.gen);
    if (batch.offsets.size === 0 || batch.gen !== this.gen) return;
    const { events } = batch;
    if (events.length > 0) {
      this.counter.add('KafkaEventGetTimer', Date.now() - batch.firstAt);
      this.counter.add('EventReceivedCount', events.length);
      let backoff = 0;
      for (;;) {
        try {
          await this.processor.processEventBatch(events);
          break;
        } catch (err) {
          this.counter.increment('ChannelWriteFail');
          backoff = Math.min(backoff + this.o.backoffSleepIncrement, this.o.maxBackoffSleep);
          this.logger.warn(
            { err: errorMessage(err), events: events.length, retryInMs: backoff },
            'channel put failed; the batch will be delivered again',
          );
          await sleep(backoff);
          // after a rebalance or on stop the batch is dropped uncommitted: its owner reads it again
          if (batch.gen !== this.gen || this.stopping) return;
        }
      }
      this.counter.add('EventAcceptedCount', events.length);
    }
    this.queueCommit(batch);
    if (this.pending.offsets.size > 0) this.scheduleFlush();
  }

  /**
   * The batch is in the channel: its offsets are committed behind the commit in flight (merged with later batches'
   * offsets queued meanwhile), so the next batch is gathered and put without waiting for the group coordinator.
   * Commits run one at a time, in order (as before, a batch put while the group rebalanced is still committed: its
   * events are in the channel).
   */
  private queueCommit(batch: Gathered): void {
    if (this.commitQueued && this.commitQueued.gen === batch.gen) {
      for (const [k, o] of batch.offsets) this.commitQueued.offsets.set(k, o);
      return;
    }
    const queued = { gen: batch.gen, offsets: new Map(batch.offsets) };
    this.commitQueued = queued;
    this.commits = this.commits.then(() => this.sendCommit(queued));
  }

  private async sendCommit(queued: { gen: number; offsets: Gathered['offsets'] }): Promise<void> {
    if (this.commitQueued === queued) this.commitQueued = undefined;
    const offsets = [...queued.offsets.values()].map((o) => ({
      topic: o.topic,
      partition: o.partition,
      offset: String(BigInt(o.offset) + 1n),
    }));
    const c0 = Date.now();
    try {
      await this.consumer!.commitOffsets(offsets);
      this.counter.add('KafkaCommitTimer', Date.now() - c0);
    } catch (err) {
      // The events are in the channel; a later commit covers these offsets, or they are read again (duplicates).
      this.logger.warn({ err: errorMessage(err), offsets }, 'committing Kafka offsets failed');
    }
  }

  /** A rebalance, crash or stop: what was gathered but not put is dropped (it is read again from the committed offsets). */
  private newGeneration(): void {
    this.gen++;
    this.pending = emptyBatch(this.gen);
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.newGeneration();
    await this.chain; // a batch being put finishes and commits its offsets while the consumer is still a member
    await this.commits;
    await this.loop?.stop();
    await this.chain;
    await this.commits;
    this.counter.stop();
    this.logger.info({ metrics: this.counter.snapshot() }, 'Kafka source stopped');
  }
}

interface Gathered {
  events: Event[];
  /** Last offset gathered per topic-partition. */
  offsets: Map<string, { topic: string; partition: number; offset: string }>;
  gen: number;
  firstAt: number;
}

const emptyBatch = (gen: number): Gathered => ({ events: [], offsets: new Map(), gen, firstAt: 0 });

export const kafkaSource = defineComponent({
  kind: 'source',
  type: 'org.apache.flume.source.kafka.KafkaSource',
  fqcn: 'org.apache.flume.source.kafka.KafkaSource',
  compatibility: 'partial',
  summary: 'Consumes Kafka topics as a consumer group; offsets are committed after the channel transaction commits.',
  notes:
    'kafkajs 2.2.4 client, event-driven: as in Flume a channel batch is written when batchSize records are in hand or ' +
    'batchDurationMillis passed since its first record. backoffSleepIncrement/maxBackoffSleep pace retries of a failed channel put ' +
    '(the same batch is put again) and of a failed start. Mapped consumer properties: auto.offset.reset (earliest, ' +
    'latest), session.timeout.ms, heartbeat.interval.ms, max.poll.interval.ms, fetch.min.bytes, fetch.max.bytes, ' +
    'max.partition.fetch.bytes, fetch.max.wait.ms, isolation.level, client.rack, allow.auto.create.topics, ' +
    'metadata.max.age.ms, request.timeout.ms, retry.backoff.ms, client.id and the security properties ' +
    '(security.protocol, sasl.mechanism GSSAPI/PLAIN/SCRAM-SHA-256/SCRAM-SHA-512, sasl.jaas.config (GSSAPI: Krb5LoginModule ' +
    'useKeyTab=true keyTab principal), sasl.kerberos.service.name, ssl.truststore.* as PEM or PKCS12, ' +
    'ssl.keystore.* as PEM or PKCS12, ssl.key.password, ssl.endpoint.identification.algorithm, ' +
    'ssl.disableTLSHostnameVerification). Ignored with a warning: max.poll.records (batchSize rules), ' +
    'partition.assignment.strategy (flume-ts always uses Java\'s default RangeAssignor, protocol "range", so flume-ts and ' +
    'Java Flume agents can share one consumer group), ' +
    'group.instance.id, interceptor.classes, custom deserializers, unknown keys. enable.auto.commit is forced off. ' +
    'An ACL refusal (READ on the group or topic) is logged with the principal and the kafka-acls command at each retry; ' +
    'the source keeps retrying and reads once the ACL is granted. ' +
    "Record batches compressed with gzip, snappy (snappy-java framing or raw), lz4 (Kafka's LZ4 frame) or zstd are read, " +
    "as the Java client writes them (tested against Flume 1.11's Kafka sink with each compression.type). An undecodable record " +
    '(useFlumeEventFormat on a plain payload) is logged and skipped instead of stalling the partition. ' +
    'kafka.topics.regex subscribes to the topics that match when the source starts (kafkajs does not pick up topics ' +
    'created later; restart or reload the agent). KafkaEmptyCount stays 0 (kafkajs does not report empty polls). ' +
    'Deprecated topic and groupId are read as in Flume; zookeeperConnect/migrateZookeeperOffsets are not supported. ' +
    'Tested against Apache Kafka 3.9.1 and 4.1.0 (KRaft).',
  properties: {
    'kafka.bootstrap.servers': prop.string({ required: true, doc: 'Comma-separated host:port list of Kafka brokers.' }),
    'kafka.topics': prop.string({ aliases: ['topic'], doc: 'Comma-separated list of topics to consume.' }),
    'kafka.topics.regex': prop.string({ doc: 'Java regex of topics to subscribe to; overrides kafka.topics.' }),
    'kafka.consumer.group.id': prop.string({
      default: 'flume',
      aliases: ['groupId'],
      doc: 'Consumer group id; agents with the same id share the partitions.',
    }),
    batchSize: prop.int({ default: 1000, min: 1, doc: 'Maximum records per channel batch.' }),
    batchDurationMillis: prop.int({ default: 1000, min: 1, doc: 'Longest wait (ms) for records before a batch is written.' }),
    backoffSleepIncrement: prop.long({ default: 1000, min: 0, doc: 'Backoff step (ms) between retries of a failed channel put.' }),
    maxBackoffSleep: prop.long({ default: 5000, min: 0, doc: 'Longest backoff (ms) between retries.' }),
    useFlumeEventFormat: prop.boolean({ default: false, doc: 'Read record values as binary AvroFlumeEvents (headers restored).' }),
    setTopicHeader: prop.boolean({ default: true, doc: "Put the record's topic into the topicHeader header." }),
    topicHeader: prop.string({ default: 'topic', doc: 'Header that receives the topic.' }),
    'kafka.consumer.auto.offset.reset': prop.enum(['earliest', 'latest'], {
      default: 'latest',
      doc: 'Where a group without committed offsets starts.',
    }),
    ...secretProps('consumer'),
  },
  prefixes: {
    'kafka.consumer.': 'Kafka consumer properties (see notes for what is mapped).',
    'header.': 'header.NAME = kafkaHeader copies Kafka header kafkaHeader into Flume header NAME.',
  },
  check: (c, raw) => {
    const problems = mappingProblems(sourceMapping(c['kafka.bootstrap.servers'], raw, c.batchDurationMillis));
    if (!c['kafka.topics.regex'] && !c['kafka.topics'])
      problems.push({ message: 'At least one Kafka topic must be specified (kafka.topics or kafka.topics.regex)' });
    if (c['kafka.topics.regex']) {
      try {
        new RegExp(c['kafka.topics.regex']);
      } catch (err) {
        problems.push({
          prop: 'kafka.topics.regex',
          message: `kafka.topics.regex is not a valid regular expression: ${errorMessage(err)}`,
        });
      }
    }
    return problems;
  },
  batchSize: (c) => c.batchSize,
  create: (c, ctx) =>
    new KafkaSource(ctx.name, ctx.processor, ctx.logger, {
      topics: c['kafka.topics'] ? splitTopics(c['kafka.topics']) : undefined,
      topicsRegex: c['kafka.topics.regex'] ? new RegExp(`^(?:${c['kafka.topics.regex']})$`) : undefined,
      groupId: c['kafka.consumer.group.id'] || 'flume',
      batchSize: c.batchSize,
      batchDurationMillis: c.batchDurationMillis,
      backoffSleepIncrement: c.backoffSleepIncrement,
      maxBackoffSleep: c.maxBackoffSleep,
      useFlumeEventFormat: c.useFlumeEventFormat,
      setTopicHeader: c.setTopicHeader,
      topicHeader: c.topicHeader,
      headerMap: subProperties(ctx.raw, 'header.', { trim: true }),
      client: sourceMapping(c['kafka.bootstrap.servers'], ctx.raw, c.batchDurationMillis),
    }),
});

function sourceMapping(bootstrap: string, raw: Readonly<Record<string, string>>, batchDurationMillis: number) {
  return mapRole(raw, 'consumer', bootstrap, { defaultAutoOffsetReset: 'latest', maxWaitMs: batchDurationMillis });
}
