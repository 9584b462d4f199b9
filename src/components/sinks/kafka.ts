/**
 * Flume's KafkaSink (flume-ng-sinks/flume-ng-kafka-sink KafkaSink.java @ 1.11) on kafkajs: takes up to flumeBatchSize
 * events, produces them, and commits the channel transaction only once the broker acknowledged every record as
 * `kafka.producer.acks` asks (Flume's default 1: the leader wrote it; -1/all: every in-sync replica; 0: sent, no
 * acknowledgement). Any failure rolls the transaction back, so the batch is sent again (duplicates, never loss).
 *
 * Per event, as Flume 1.11 does: topic = the `topicHeader` header when allowTopicOverride (else kafka.topic with
 * %{header} escapes); key = the `key` header; partition = partitionIdHeader's value, else defaultPartitionId, else the
 * key's murmur2 hash (Java's default partitioner; kafkajs' DefaultPartitioner is byte-compatible) or round-robin for
 * keyless records; record timestamp = the timestampHeader header (FLUME-3435); `header.NAME = kafkaName` copies Flume
 * header NAME to Kafka header kafkaName.
 */
import type { Message, TopicMessages } from 'kafkajs';
import { kafkajs } from '../shared/lazy.js';
import { defineComponent, prop, subProperties } from '../../config/spec.js';
import { BatchingSink } from '../../core/abstract-sink.js';
import type { Channel } from '../../core/channel.js';
import type { Event } from '../../core/event.js';
import { EventDeliveryError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import { kafkaErrorText } from '../kafka/auth-errors.js';
import type { ClientMapping } from '../kafka/client-config.js';
import { escapeTopic, kafkaClient, mappingProblems, mapRole, parsePartition, secretProps } from '../kafka/common.js';
import { encodeFlumeEvent } from '../kafka/flume-event.js';
import { type BatchProducer, rdkafkaProducer } from '../kafka/rdkafka-producer.js';

export interface KafkaSinkOptions {
  topic: string;
  batchSize: number;
  useFlumeEventFormat: boolean;
  defaultPartitionId?: number;
  partitionIdHeader?: string;
  allowTopicOverride: boolean;
  topicHeader: string;
  timestampHeader?: string;
  /** Flume header name → Kafka header name. */
  headerMap: Record<string, string>;
  client: ClientMapping;
}

/** Builds the Kafka record for one event, exactly as KafkaSink.process does. Exported for unit tests. */
export function toRecord(e: Event, o: Omit<KafkaSinkOptions, 'client' | 'batchSize'>): { topic: string; message: Message } {
  return { topic: recordTopic(e, o), message: toMessage(e, o, Object.keys(o.headerMap)) };
}

/** The event's topic: the topicHeader header when allowTopicOverride, else kafka.topic with its escapes. */
function recordTopic(e: Event, o: Omit<KafkaSinkOptions, 'client' | 'batchSize'>): string {
  const h = e.headers;
  return o.allowTopicOverride ? (h[o.topicHeader] ?? escapeTopic(o.topic, h)) : o.topic;
}

/** The event's record; `names` = Object.keys(o.headerMap) (computed once per sink, not per event). */
function toMessage(e: Event, o: Omit<KafkaSinkOptions, 'client' | 'batchSize'>, names: readonly string[]): Message {
  const h = e.headers;
  let partition = o.defaultPartitionId;
  if (o.partitionIdHeader !== undefined) {
    const v = h[o.partitionIdHeader];
    if (v !== undefined) {
      partition = parsePartition(v.trim());
      if (partition === undefined) {
        throw new EventDeliveryError(`Non integer partition id specified: header ${o.partitionIdHeader}="${v}"`);
      }
    }
  }
  const message: Message = {
    // a Buffer key: kafkajs encodes string keys much more slowly
    key: h.key === undefined ? null : Buffer.from(h.key, 'utf8'),
    value: o.useFlumeEventFormat ? encodeFlumeEvent(e) : e.body,
  };
  if (partition !== undefined) message.partition = partition;
  if (o.timestampHeader !== undefined) {
    const ts = h[o.timestampHeader];
    if (ts !== undefined) {
      if (/^[+-]?\d+$/.test(ts.trim())) message.timestamp = ts.trim();
      // Flume logs "Invalid timestamp in header" and lets the producer stamp the record
    }
  }
  if (names.length > 0) {
    let kh: Record<string, Buffer> | undefined;
    for (const flumeName of names) {
      const v = h[flumeName];
      if (v !== undefined) (kh ??= {})[o.headerMap[flumeName]!] = Buffer.from(v, 'utf8');
    }
    if (kh) message.headers = kh;
  }
  return message;
}

export class KafkaSink extends BatchingSink {
  private readonly o: KafkaSinkOptions;
  private producer?: BatchProducer;
  private connected = false;
  private warnedTimestamp = false;
  private readonly headerNames: readonly string[];

  constructor(name: string, channel: Channel, logger: Logger, o: KafkaSinkOptions) {
    super(name, channel, logger, o.batchSize, ['KafkaEventSendTimer', 'RollbackCount']);
    this.o = o;
    this.headerNames = Object.keys(o.headerMap);
  }

  override async start(): Promise<void> {
    await super.start();
    for (const i of this.o.client.ignored) this.logger.warn(`${i.key} is ignored: ${i.reason}`);
    // -Dflume-ts.kafka.client=rdkafka: librdkafka (optional binding); else kafkajs
    const rd = rdkafkaProducer(this.o.client, this.logger, `sink ${this.name}`);
    if (rd) this.producer = rd;
    else {
      const kafka = kafkaClient(this.o.client, this.logger, `sink ${this.name}`);
      const { acks: _a, timeout: _t, compression: _c, ...producerConfig } = this.o.client.producer;
      this.producer = kafka.producer({ ...producerConfig, createPartitioner: kafkajs().Partitioners.DefaultPartitioner });
    }
    const client = rd ? 'librdkafka' : 'kafkajs';
    this.logger.info({ topic: this.o.topic, acks: this.o.client.producer.acks, client }, 'Kafka sink starting');
    // Like Flume's KafkaProducer, start without waiting for the brokers (the agent must not hang on them): the first
    // delivery waits for this connection attempt, or tries again.
    this.connecting = this.connect().catch((err) => {
      this.logger.warn({ err: errorMessage(err) }, 'Kafka brokers not reachable yet; will retry on delivery');
    });
  }

  private connecting?: Promise<void>;

  private async connect(): Promise<void> {
    if (this.connected || !this.producer) return;
    await this.producer.connect();
    this.connected = true;
    this.counter.increment('ConnectionCreatedCount');
  }

  override async stop(): Promise<void> {
    if (this.producer) {
      try {
        await this.producer.disconnect();
        if (this.connected) this.counter.increment('ConnectionClosedCount');
      } catch (err) {
        this.logger.warn({ err: errorMessage(err) }, 'error closing the Kafka producer');
      }
      this.connected = false;
    }
    await super.stop();
    this.logger.info({ metrics: this.counter.snapshot() }, 'Kafka sink stopped');
  }

  protected async deliver(events: Event[]): Promise<void> {
    const t0 = Date.now();
    const byTopic = new Map<string, Message[]>();
    try {
      for (const e of events) {
        if (this.o.timestampHeader !== undefined && !this.warnedTimestamp) {
          const ts = e.headers[this.o.timestampHeader];
          if (ts !== undefined && !/^[+-]?\d+$/.test(ts.trim())) {
            this.warnedTimestamp = true;
            this.logger.warn(`Invalid timestamp in header ${this.o.timestampHeader} - ${ts} (the broker time is used; warned once)`);
          }
        }
        const topic = recordTopic(e, this.o);
        let list = byTopic.get(topic);
        if (!list) byTopic.set(topic, (list = []));
        list.push(toMessage(e, this.o, this.headerNames));
      }
      try {
        await this.connecting;
        await this.connect();
      } catch (err) {
        this.counter.increment('ConnectionFailedCount');
        throw err;
      }
      const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      const { acks, timeout, compression } = this.o.client.producer;
      await this.producer!.sendBatch({ topicMessages, acks, timeout, compression });
      this.counter.add('KafkaEventSendTimer', Date.now() - t0);
    } catch (err) {
      this.counter.increment('RollbackCount');
      const why = kafkaErrorText(err, {
        principal: this.o.client.principal,
        bootstrap: String(this.o.client.kafka.brokers),
        role: 'producer',
        topics: [...byTopic.keys()],
      });
      this.logger.error({ err: why, events: events.length }, 'Failed to publish events; rolling back');
      if (err instanceof EventDeliveryError) throw err;
      throw new EventDeliveryError(
        `sink ${this.name}: failed to publish ${events.length} event(s) to Kafka, rolled back for retry: ${why}`,
        { cause: err },
      );
    }
  }
}

export const kafkaSink = defineComponent({
  kind: 'sink',
  type: 'org.apache.flume.sink.kafka.KafkaSink',
  fqcn: 'org.apache.flume.sink.kafka.KafkaSink',
  compatibility: 'partial',
  summary: 'Publishes events to Kafka topics; commits the channel transaction once the brokers acknowledged (kafka.producer.acks).',
  notes:
    'kafkajs 2.2.4 client; -Dflume-ts.kafka.client=rdkafka switches a sink without TLS/SASL to librdkafka (optional ' +
    'node-rdkafka binding, docs/kafka-clients.md). Mapped producer properties: acks, compression.type (none, gzip, snappy, lz4, zstd in the ' +
    "framings Kafka's Java client writes, read by Flume 1.11's Kafka source in a test; any other value is a configure " +
    'error), retries (capped at 30 per send), retry.backoff.ms, retry.backoff.max.ms, request.timeout.ms, ' +
    'socket.connection.setup.timeout.ms, max.in.flight.requests.per.connection, enable.idempotence (needs acks=all), ' +
    'metadata.max.age.ms, client.id, security.protocol, sasl.mechanism (GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), ' +
    'sasl.jaas.config (GSSAPI: Krb5LoginModule useKeyTab=true keyTab principal, the keytab login of the process; without it the ' +
    'KafkaClient section of -Djava.security.auth.login.config), ' +
    'sasl.kerberos.service.name, ssl.truststore.* (PEM, or PKCS12 read through openssl), ssl.keystore.* (PEM or PKCS12), ssl.key.password, ' +
    'ssl.endpoint.identification.algorithm, ssl.disableTLSHostnameVerification. Ignored with a warning: batch.size, ' +
    'linger.ms, buffer.memory, max.block.ms, max.request.size, delivery.timeout.ms, partitioner.*, transactional.id, ' +
    'interceptor.classes, ssl.cipher.suites, custom serializers, and unknown keys. An ACL refusal names the principal, ' +
    'WRITE and the topic (with the kafka-acls command); the batch rolls back and is retried. JKS stores, OAUTHBEARER and a GSSAPI login from a ticket cache are ' +
    'errors (Node.js cannot read JKS: convert to PEM/PKCS12). Keyed records use murmur2 like the Java client, so a key ' +
    'lands in the same partition either way. The kafka.topic escapes are the BucketPath escapes of Flume (as for hdfs.path). Deprecated brokerList, ' +
    'topic, batchSize and requiredAcks are read as in Flume.',
  properties: {
    'kafka.bootstrap.servers': prop.string({
      required: true,
      aliases: ['brokerList'],
      doc: 'Comma-separated host:port list of Kafka brokers.',
    }),
    'kafka.topic': prop.string({
      default: 'default-flume-topic',
      aliases: ['topic'],
      doc: 'Topic to publish to; BucketPath escapes (%{header}, %Y…) are replaced per event when the event has no topic header.',
    }),
    flumeBatchSize: prop.int({ default: 100, min: 1, aliases: ['batchSize'], doc: 'Events taken and published per transaction.' }),
    'kafka.producer.acks': prop.string({
      default: '1',
      aliases: ['requiredAcks'],
      check: (v) => (['0', '1', '-1', 'all'].includes(v.trim().toLowerCase()) ? undefined : `"${v}" is not one of 0, 1, -1, all`),
      doc: 'Acknowledgements before the transaction commits: 0 none (may lose on broker failure), 1 the leader, -1/all every in-sync replica.',
    }),
    useFlumeEventFormat: prop.boolean({
      default: false,
      doc: 'Write each event as a binary AvroFlumeEvent (headers kept) instead of the bare body.',
    }),
    defaultPartitionId: prop.int({ min: 0, doc: 'Partition every event goes to, unless partitionIdHeader says otherwise.' }),
    partitionIdHeader: prop.string({
      doc: 'Header holding the partition id (overrides defaultPartitionId; a non-integer fails the batch).',
    }),
    allowTopicOverride: prop.boolean({ default: true, doc: 'Publish to the topic named in the topicHeader header when present.' }),
    topicHeader: prop.string({ default: 'topic', doc: 'Header holding the topic override.' }),
    timestampHeader: prop.string({ doc: 'Header holding the Kafka record timestamp (ms since epoch).' }),
    ...secretProps('producer'),
  },
  prefixes: {
    'kafka.producer.': 'Kafka producer properties (see notes for what is mapped).',
    'header.': 'header.NAME = kafkaHeader copies Flume header NAME to Kafka header kafkaHeader.',
  },
  check: (c, raw) => mappingProblems(sinkMapping(c['kafka.bootstrap.servers'], raw, c['kafka.producer.acks'])),
  batchSize: (c) => c.flumeBatchSize,
  create: (c, ctx) =>
    new KafkaSink(ctx.name, ctx.channel, ctx.logger, {
      topic: c['kafka.topic'],
      batchSize: c.flumeBatchSize,
      useFlumeEventFormat: c.useFlumeEventFormat,
      defaultPartitionId: c.defaultPartitionId,
      partitionIdHeader: c.partitionIdHeader,
      allowTopicOverride: c.allowTopicOverride,
      topicHeader: c.topicHeader,
      timestampHeader: c.timestampHeader,
      headerMap: subProperties(ctx.raw, 'header.', { trim: true }),
      client: sinkMapping(c['kafka.bootstrap.servers'], ctx.raw, c['kafka.producer.acks']),
    }),
});

function sinkMapping(bootstrap: string, raw: Readonly<Record<string, string>>, acks: string) {
  return mapRole({ ...raw, 'kafka.producer.acks': acks }, 'producer', bootstrap, { defaultAcks: '1' });
}
