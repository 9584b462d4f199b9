import './fast-paths-first.js';
/**
 * A flume-ts Kafka channel and a real Apache Flume 1.11 Kafka channel (`npm run flume`) read each other's records
 * with parseAsFlumeEvent=true (binary AvroFlumeEvent values, headers kept); a flume-ts and a Java Flume Kafka source share
 * one consumer group.
 *
 *   real Flume: netcat → static interceptor → KafkaChannel(topic TW)   → null sink      ⇒ flume-ts channel reads TW
 *   flume-ts channel puts into TR                                      ⇒ real Flume: KafkaChannel(topic TR) → file_roll
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { kafkaChannel, type KafkaChannel } from '../../../src/components/channels/kafka.js';
import { kafkaSource, type KafkaSource } from '../../../src/components/sources/kafka.js';
import { withTransaction } from '../../../src/core/channel.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { create, drain, memory } from '../../support/context.js';
import { ROOT, freePort } from '../../support/agent-process.js';
import { useServices, type Services } from '../../support/services.js';
import { client, createTopic, produce, TestProcessor, uniqueName, until } from './helpers.js';

function sendLines(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      got += d;
      if (got.length >= 3 * lines.length) {
        sock.end();
        resolve(got);
      }
    });
    sock.on('error', reject);
    sock.write(lines.map((l) => `${l}\n`).join(''));
  });
}

describe('flume-ts Kafka channel ↔ Apache Flume 1.11 Kafka channel (parseAsFlumeEvent=true)', () => {
  let svc: Services<'kafka'>;
  let kafka: Kafka;
  let flume: ChildProcess | undefined;
  let ours: KafkaChannel | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-kafka-interop-'));
  beforeAll(async () => {
    svc = await useServices(['kafka']);
    kafka = client(svc.kafka.brokers);
  });
  afterAll(async () => {
    await ours?.stop();
    if (flume && flume.exitCode === null) {
      const exited = new Promise((r) => flume!.once('exit', r));
      flume.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (flume.exitCode === null) flume.kill('SIGKILL');
    }
    await svc?.release();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('each reads the events the other wrote, headers included', async () => {
    const TW = uniqueName('interop-w');
    const TR = uniqueName('interop-r');
    await createTopic(kafka, TW, 3);
    await createTopic(kafka, TR, 3);
    const port = await freePort();
    const out = path.join(tmp, 'out');
    fs.mkdirSync(out);
    const conf = path.join(tmp, 'flume.conf');
    const b = svc.kafka.bootstrap;
    fs.writeFileSync(
      conf,
      `
f1.sources = r1
f1.channels = cw cr
f1.sinks = kn kf
f1.sources.r1.type = netcat
f1.sources.r1.bind = 127.0.0.1
f1.sources.r1.port = ${port}
f1.sources.r1.channels = cw
f1.sources.r1.interceptors = i1
f1.sources.r1.interceptors.i1.type = static
f1.sources.r1.interceptors.i1.key = origin
f1.sources.r1.interceptors.i1.value = java-flume
f1.channels.cw.type = org.apache.flume.channel.kafka.KafkaChannel
f1.channels.cw.kafka.bootstrap.servers = ${b}
f1.channels.cw.kafka.topic = ${TW}
f1.channels.cw.kafka.consumer.group.id = ${uniqueName('gfw')}
f1.sinks.kn.type = null
f1.sinks.kn.channel = cw
f1.channels.cr.type = org.apache.flume.channel.kafka.KafkaChannel
f1.channels.cr.kafka.bootstrap.servers = ${b}
f1.channels.cr.kafka.topic = ${TR}
f1.channels.cr.kafka.consumer.group.id = ${uniqueName('gfr')}
f1.sinks.kf.type = file_roll
f1.sinks.kf.channel = cr
f1.sinks.kf.sink.directory = ${out}
f1.sinks.kf.sink.rollInterval = 0
f1.sinks.kf.sink.serializer = header_and_text
`,
    );
    flume = spawn(
      process.execPath,
      [
        path.join(ROOT, 'scripts/services/flume-cli.mjs'),
        'agent',
        '--conf-file',
        conf,
        '--name',
        'f1',
        '--heap',
        '256m',
        '--log-dir',
        path.join(tmp, 'logs'),
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    flume.stderr!.resume();

    // flume-ts writes into TR while Flume starts
    ours = create(
      kafkaChannel,
      { 'kafka.bootstrap.servers': b, 'kafka.topic': TR, 'kafka.consumer.group.id': uniqueName('gts') },
      { name: 'c1' },
    ) as KafkaChannel;
    await ours.start();
    const N = 200;
    await withTransaction(ours, (tx) =>
      tx.putAll(Array.from({ length: N }, (_, i) => createEvent(`from-flume-ts-${i}`, { origin: 'flume-ts', n: String(i) }))),
    );
    await ours.stop();

    // Flume's netcat source → Flume's Kafka channel → TW
    expect(
      await until(
        () =>
          new Promise<boolean>((r) =>
            net
              .connect(port, '127.0.0.1')
              .on('connect', function (this: net.Socket) {
                this.destroy();
                r(true);
              })
              .on('error', () => r(false)),
          ),
        120_000,
      ),
    ).toBe(true);
    const lines = Array.from({ length: N }, (_, i) => `from-java-${i}`);
    expect(await sendLines(port, lines)).toBe('OK\n'.repeat(N));

    // Flume read what flume-ts wrote: file_roll with header_and_text prints "{headers} body"
    const readOut = () =>
      fs
        .readdirSync(out)
        .map((f) => fs.readFileSync(path.join(out, f), 'utf8'))
        .join('')
        .split('\n')
        .filter(Boolean);
    expect(await until(() => readOut().length >= N, 90_000)).toBe(true);
    const written = readOut();
    expect(written.length).toBe(N);
    const line7 = written.find((l) => l.endsWith(' from-flume-ts-7'))!;
    expect(line7).toMatch(/^\{.*origin=flume-ts.*\} from-flume-ts-7$/);
    expect(line7).toMatch(/n=7[,}]/);

    // flume-ts reads what Flume wrote into TW
    ours = create(
      kafkaChannel,
      { 'kafka.bootstrap.servers': b, 'kafka.topic': TW, 'kafka.consumer.group.id': uniqueName('gts2') },
      { name: 'c2' },
    ) as KafkaChannel;
    await ours.start();
    const got: Event[] = [];
    await until(async () => {
      const tx = ours!.begin();
      got.push(...(await tx.take(500)));
      await tx.commit();
      if (got.length < N) await ours!.waitForEvents(200);
      return got.length >= N;
    }, 60_000);
    expect(got.length).toBe(N);
    expect(new Set(got.map((e) => e.body.toString()))).toEqual(new Set(lines));
    expect(got.every((e) => e.headers.origin === 'java-flume')).toBe(true);
  });

  it('a flume-ts Kafka source and a Java Flume Kafka source share one consumer group (range assignor); nothing lost', async () => {
    const T = uniqueName('mixed');
    await createTopic(kafka, T, 3);
    const group = uniqueName('gmixed');
    const out = path.join(tmp, 'out-mixed');
    fs.mkdirSync(out);
    const logDir = path.join(tmp, 'logs-mixed');
    const conf = path.join(tmp, 'flume-mixed.conf');
    fs.writeFileSync(
      conf,
      `
f2.sources = r1
f2.channels = c1
f2.sinks = k1
f2.sources.r1.type = org.apache.flume.source.kafka.KafkaSource
f2.sources.r1.kafka.bootstrap.servers = ${svc.kafka.bootstrap}
f2.sources.r1.kafka.topics = ${T}
f2.sources.r1.kafka.consumer.group.id = ${group}
f2.sources.r1.kafka.consumer.auto.offset.reset = earliest
f2.sources.r1.batchSize = 100
f2.sources.r1.channels = c1
f2.channels.c1.type = memory
f2.channels.c1.capacity = 100000
f2.channels.c1.transactionCapacity = 1000
f2.sinks.k1.type = file_roll
f2.sinks.k1.channel = c1
f2.sinks.k1.sink.directory = ${out}
f2.sinks.k1.sink.rollInterval = 0
`,
    );
    const java = spawn(
      process.execPath,
      [
        path.join(ROOT, 'scripts/services/flume-cli.mjs'),
        'agent',
        '--conf-file',
        conf,
        '--name',
        'f2',
        '--heap',
        '256m',
        '--log-dir',
        logDir,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    java.stderr!.resume();
    const javaLog = () => {
      try {
        return fs.readFileSync(path.join(logDir, 'flume.log'), 'utf8');
      } catch {
        return '';
      }
    };
    const ch = memory('c1', 100_000, 10_000);
    const assigned: Array<Record<string, number[]>> = [];
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          const o = JSON.parse(line);
          if (o.msg === 'partitions assigned') assigned.push(o.assignment);
        },
      },
    );
    const src = create(
      kafkaSource,
      {
        'kafka.bootstrap.servers': svc.kafka.bootstrap,
        'kafka.topics': T,
        'kafka.consumer.group.id': group,
        'kafka.consumer.auto.offset.reset': 'earliest',
        batchSize: '100',
        batchDurationMillis: '200',
      },
      { name: 'r1', processor: new TestProcessor(ch), logger },
    ) as KafkaSource;
    try {
      expect(await until(() => new RegExp(`${T} - partition \\d assigned`).test(javaLog()), 120_000)).toBe(true);
      await src.start();
      // the Java member rejoins and the group is split between the two
      expect(await until(() => (assigned[assigned.length - 1]?.[T]?.length ?? 0) > 0, 60_000)).toBe(true);
      const mine = assigned[assigned.length - 1]![T]!;
      expect(mine.length).toBeLessThan(3);
      const N = 3000;
      await produce(
        kafka,
        T,
        Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: `m${i}` })),
      );
      const ours: Event[] = [];
      const javaLines = () => fs.readdirSync(out).flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter(Boolean));
      const all = () => new Set([...ours.map((e) => e.body.toString()), ...javaLines()]);
      expect(await until(async () => (ours.push(...(await drain(ch))), all().size >= N), 90_000)).toBe(true);
      expect(ours.length).toBeGreaterThan(0);
      expect(javaLines().length).toBeGreaterThan(0);
      // each partition went to one member: ours only from our partitions
      expect(ours.every((e) => mine.includes(Number(e.headers.partition)))).toBe(true);
    } finally {
      await src.stop();
      const exited = new Promise((r) => java.once('exit', r));
      java.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (java.exitCode === null) java.kill('SIGKILL');
    }
  });
});
