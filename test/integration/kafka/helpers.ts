/** Helpers for the Kafka integration suites (real broker from the service harness). */
import fs from 'node:fs';
import { Kafka, logLevel, Partitioners, type IHeaders, type Message } from 'kafkajs';
import { withTransaction, type Channel } from '../../../src/core/channel.js';
import type { Event } from '../../../src/core/event.js';
import { ChannelError } from '../../../src/core/errors.js';
import type { ChannelProcessor } from '../../../src/core/source.js';
import type { Services } from '../../support/services.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function client(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } });
}

let seq = 0;
export const uniqueName = (p: string) => `${p}-${process.pid}-${Date.now()}-${seq++}`;

export async function createTopic(kafka: Kafka, topic: string, numPartitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function produce(kafka: Kafka, topic: string, messages: Message[], chunk = 500): Promise<void> {
  const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await p.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) await p.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) });
  } finally {
    await p.disconnect();
  }
}

export interface Record_ {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  timestamp: string;
  headers: IHeaders;
}

/**
 * Reads a whole topic from the beginning (a throw-away group) until records with `expected` distinct values arrived
 * (duplicates, which at-least-once delivery allows, do not count) or `timeoutMs` passed.
 */
export async function readTopic(kafka: Kafka, topic: string, expected: number, timeoutMs = 60_000): Promise<Record_[]> {
  const c = kafka.consumer({ groupId: uniqueName('reader'), sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
  const out: Record_[] = [];
  const distinct = new Set<string>();
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  void c.run({
    eachMessage: async ({ partition, message }) => {
      out.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value ?? Buffer.alloc(0),
        timestamp: message.timestamp,
        headers: message.headers ?? {},
      });
      distinct.add((message.value ?? Buffer.alloc(0)).toString('base64'));
      if (distinct.size >= expected) done();
    },
  });
  await Promise.race([all, sleep(timeoutMs)]);
  await c.disconnect();
  return out;
}

/** A ChannelProcessor that puts into one channel; `failNext(n)` makes the next n batches fail like a full channel. */
export class TestProcessor implements ChannelProcessor {
  readonly maxBatchSize = 1_000_000;
  private failures = 0;
  batches = 0;
  failed = 0;
  constructor(private readonly channel: Channel) {}
  failNext(n: number): void {
    this.failures = n;
  }
  async processEvent(event: Event): Promise<void> {
    return this.processEventBatch([event]);
  }
  async processEventBatch(events: Event[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      this.failed++;
      throw new ChannelError('test: channel full');
    }
    await withTransaction(this.channel, (tx) => tx.putAll(events));
    this.batches++;
  }
}

/** Polls `cond` every 100 ms until true or `timeoutMs`; returns its last value. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

interface HarnessLib {
  portOpen(port: number): Promise<boolean>;
  spawnDaemon(cmd: string, args: string[], o: { cwd?: string; logFile: string }): { pid?: number };
  stopPid(pid: number): Promise<void>;
  updateState(m: (s: { services: Record<string, { pids: number[] }> }) => void): unknown;
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  waitFor(what: string, probe: () => Promise<unknown>, o: { timeoutMs: number }): Promise<unknown>;
}

/**
 * Stops the harness's Kafka broker (SIGTERM, a clean shutdown), keeps it down for `downMs`, and starts it again with
 * the same command line, ports and data directory; records the new pid in the harness state so `release()` stops it.
 */
export async function bounceBroker(svc: Services<'kafka'>, downMs: number): Promise<void> {
  const libPath = '../../../scripts/services/lib.mjs';
  const { portOpen, spawnDaemon, stopPid, updateState, withLock, waitFor } = (await import(libPath)) as HarnessLib;
  const info = svc.info.kafka;
  const pid = info.pids[0]!;
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
  await stopPid(pid);
  await sleep(downMs);
  const child = spawnDaemon(argv[0]!, argv.slice(1), { cwd, logFile: info.logs.stdout ?? `${info.dir}/logs/stdout.log` });
  const newPid = child.pid!;
  info.pids = [newPid];
  await withLock(async () => {
    updateState((s) => {
      if (s.services.kafka) s.services.kafka.pids = [newPid];
    });
  });
  await waitFor('kafka restart', async () => portOpen(info.ports.broker), { timeoutMs: 120_000 });
}
