/**
 * The Kafka sink's producer on librdkafka (the optional `node-rdkafka` binding, built against Debian's librdkafka-dev),
 * chosen per agent with `-Dflume-ts.kafka.client=rdkafka` (or the environment variable FLUME_TS_KAFKA_CLIENT=rdkafka);
 * kafkajs stays the default. bench/kafka-clients.mjs measured it at 1.8–5× kafkajs' produce rate for a third to a
 * quarter of the CPU per event (docs/kafka-clients.md).
 *
 * It offers the one call the sink makes, kafkajs' `sendBatch`, with the same meaning: it resolves once the broker has
 * acknowledged every record as `acks` asks, and rejects if any record failed (the sink then rolls back and the whole
 * batch is sent again: duplicates, never loss). Keyed records use murmur2 like Java's and kafkajs' partitioners.
 *
 * Covered: plaintext listeners, acks, compression.type (librdkafka's own gzip/snappy/lz4/zstd), request.timeout.ms,
 * enable.idempotence, max.in.flight.requests.per.connection, client.id. A sink with TLS or SASL (any mechanism) keeps
 * kafkajs, with a warning: the mapping of Flume's SSL/SASL/JAAS properties is done for kafkajs only.
 */
import { createRequire } from 'node:module';
import type { Message, TopicMessages } from 'kafkajs';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import { systemProperty } from '../../core/system-properties.js';
import type { ClientMapping } from './client-config.js';

/** What the Kafka sink needs of a producer (kafkajs' Producer has it). */
export interface BatchProducer {
  connect(): Promise<void>;
  sendBatch(batch: { topicMessages: TopicMessages[]; acks?: number; timeout?: number; compression?: number }): Promise<unknown>;
  disconnect(): Promise<void>;
}

/** The agent-level choice: kafkajs (default) or rdkafka. */
export function kafkaClientChoice(): 'kafkajs' | 'rdkafka' {
  const v = (systemProperty('flume-ts.kafka.client') ?? process.env.FLUME_TS_KAFKA_CLIENT ?? 'kafkajs').trim().toLowerCase();
  return v === 'rdkafka' ? 'rdkafka' : 'kafkajs';
}

// node-rdkafka is optional: no types are compiled against it
type RdKafka = any;
const require = createRequire(import.meta.url);
let lib: RdKafka | undefined;

function loadRdkafka(): RdKafka {
  lib ??= require('node-rdkafka');
  return lib;
}

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * The librdkafka producer for this sink when the agent asks for it and the sink's settings are covered; else undefined
 * (the sink uses kafkajs), with a warning saying why.
 */
export function rdkafkaProducer(m: ClientMapping, logger: Logger, where: string): BatchProducer | undefined {
  if (kafkaClientChoice() !== 'rdkafka') return undefined;
  const why = m.tls || m.kafka.sasl || m.kerberos ? 'TLS/SASL settings are mapped for kafkajs only' : undefined;
  if (why) {
    logger.warn(`${where}: flume-ts.kafka.client=rdkafka asked, but ${why}; using kafkajs`);
    return undefined;
  }
  let Kafka: RdKafka;
  try {
    Kafka = loadRdkafka();
  } catch (err) {
    logger.warn(
      { err: errorMessage(err) },
      `${where}: flume-ts.kafka.client=rdkafka asked, but the optional node-rdkafka binding is not installed or not built ` +
        '(apt-get install librdkafka-dev, then BUILD_LIBRDKAFKA=0 npm rebuild node-rdkafka); using kafkajs',
    );
    return undefined;
  }
  return new RdkafkaProducer(Kafka, m, logger, where);
}

interface Pending {
  left: number;
  error?: unknown;
  done: () => void;
}

class RdkafkaProducer implements BatchProducer {
  private readonly producer: RdKafka;
  private connected = false;
  private inFlight = 0;
  private poller?: NodeJS.Timeout;
  private readonly connectTimeout: number;

  constructor(Kafka: RdKafka, m: ClientMapping, logger: Logger, where: string) {
    const p = m.producer;
    const conf: Record<string, string | number | boolean> = {
      'metadata.broker.list': Array.isArray(m.kafka.brokers) ? m.kafka.brokers.join(',') : '',
      'client.id': m.kafka.clientId ?? 'flume-ts',
      dr_cb: true,
    };
    if (p.idempotent) conf['enable.idempotence'] = true;
    if (p.maxInFlightRequests !== undefined) conf['max.in.flight.requests.per.connection'] = p.maxInFlightRequests;
    // topic-level settings: given in the global object, node-rdkafka's default topic configuration would override them
    const topicConf = {
      // Java's and kafkajs' murmur2 for keyed records (a key lands in the same partition whichever client wrote it)
      partitioner: 'murmur2_random',
      'request.required.acks': p.acks,
      'request.timeout.ms': p.timeout,
      'message.timeout.ms': 120_000, // Java's delivery.timeout.ms
      'compression.type': CODECS[p.compression] ?? 'none',
    };
    this.producer = new Kafka.Producer(conf, topicConf);
    this.connectTimeout = Math.max(1000, Math.min(30_000, p.timeout));
    this.producer.on('event.error', (err: unknown) =>
      logger.warn({ err: errorMessage(err), librdkafka: true }, `${where}: Kafka client error`),
    );
    this.producer.on('delivery-report', (err: unknown, report: { opaque?: Pending }) => this.delivered(err, report.opaque));
  }

  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) =>
      this.producer.connect({ timeout: this.connectTimeout }, (err: unknown) => {
        if (err)
          reject(err); // librdkafka's error; the sink wraps it (rollback, retry)
        else {
          this.connected = true;
          resolve();
        }
      }),
    );
  }

  async sendBatch(batch: { topicMessages: TopicMessages[] }): Promise<void> {
    const count = batch.topicMessages.reduce((n, t) => n + t.messages.length, 0);
    if (count === 0) return;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const pending: Pending = { left: count, done };
    this.startPolling();
    let queued = 0;
    try {
      for (const { topic, messages } of batch.topicMessages) {
        for (const msg of messages) {
          this.produce(topic, msg, pending);
          queued++;
        }
      }
    } catch (err) {
      // what was queued is still delivered (the retried batch may duplicate it); the rest is given up here
      pending.error ??= err;
      pending.left -= count - queued;
      if (pending.left <= 0) this.settle(pending);
    }
    await finished;
    if (pending.error !== undefined) throw pending.error; // librdkafka's error; the sink wraps it (rollback, retry)
  }

  private produce(topic: string, msg: Message, pending: Pending): void {
    const headers = msg.headers ? Object.entries(msg.headers).map(([k, v]) => ({ [k]: v as Buffer })) : undefined;
    const ts = msg.timestamp !== undefined ? Number(msg.timestamp) : null;
    this.producer.produce(topic, msg.partition ?? null, msg.value, msg.key ?? null, ts, pending, headers);
  }

  private delivered(err: unknown, p: Pending | undefined): void {
    if (!p) return;
    if (err) p.error ??= err;
    if (--p.left === 0) this.settle(p);
  }

  private settle(p: Pending): void {
    this.stopPolling();
    p.done();
  }

  /** Delivery reports come through poll(); poll only while a batch waits for them (no timer when idle). */
  private startPolling(): void {
    this.inFlight++;
    this.poller ??= setInterval(() => this.producer.poll(), 2);
  }

  private stopPolling(): void {
    if (--this.inFlight === 0 && this.poller) {
      clearInterval(this.poller);
      this.poller = undefined;
    }
  }

  disconnect(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    if (!this.connected) return Promise.resolve();
    this.connected = false;
    return new Promise((resolve) => this.producer.disconnect(10_000, () => resolve()));
  }
}
