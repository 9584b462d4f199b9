/**
 * Interop rig with real Apache Flume 1.11: flume-ts sink → Flume (rpc source → channel → rpc sink) → flume-ts source.
 * Every event crosses both directions (flume-ts → Flume and Flume → flume-ts); the events that come out must be the
 * events that went in, headers and bodies byte-identical.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { avroSource } from '../../../src/components/sources/avro.js';
import { avroSink } from '../../../src/components/sinks/avro.js';
import { thriftSource } from '../../../src/components/sources/thrift.js';
import { thriftSink } from '../../../src/components/sinks/thrift.js';
import type { RpcSink } from '../../../src/components/rpc/rpc-sink.js';
import type { RpcSource } from '../../../src/components/rpc/rpc-source.js';
import type { Channel } from '../../../src/core/channel.js';
import type { Event } from '../../../src/core/event.js';
import { create, memory } from '../../support/context.js';
import { freePort, portOpen, startFlumeAgent, waitFor, type FlumeAgent } from '../../support/services.js';
import { makeEvents, processorFor } from '../../components/rpc/helpers.js';

export const FIX = path.resolve(import.meta.dirname, '../../fixtures/rpc');

/** Events per run: 100 000 each way by default; RPC_INTEROP_EVENTS overrides. */
export const EVENTS = Number(process.env.RPC_INTEROP_EVENTS ?? 100_000);

export type Kind = 'avro' | 'thrift';

export interface Variant {
  kind: Kind;
  /** extra properties for the Flume source and flume-ts sink (the hop into Flume) */
  inbound: { flume: Record<string, string>; ts: Record<string, string> };
  /** extra properties for the Flume sink and flume-ts source (the hop out of Flume) */
  outbound: { flume: Record<string, string>; ts: Record<string, string> };
  /** Flume channel: memory (default) or file (durable, for the restart test) */
  fileChannel?: boolean;
}

const quiet = pino({ level: process.env.RPC_INTEROP_LOG ?? 'warn' });

export interface Rig {
  flume: FlumeAgent;
  flumePort: number;
  tsPort: number;
  source: RpcSource;
  out: Channel;
  sink: RpcSink;
  in: Channel;
  dir: string;
  /** restarts the Flume agent on the same ports and directories (SIGKILL first when `kill`) */
  restartFlume(kill: boolean): Promise<void>;
  /** stops the flume-ts source, waits, and starts a new one on the same port and channel */
  restartSource(pauseMs: number): Promise<void>;
  close(): Promise<void>;
}

function flumeConf(v: Variant, flumePort: number, tsPort: number, dir: string): string {
  const lines = [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    `a1.sources.r1.type = ${v.kind}`,
    'a1.sources.r1.bind = 127.0.0.1',
    `a1.sources.r1.port = ${flumePort}`,
    'a1.sources.r1.channels = c1',
    ...Object.entries(v.inbound.flume).map(([k, x]) => `a1.sources.r1.${k} = ${x}`),
    ...(v.fileChannel
      ? [
          'a1.channels.c1.type = file',
          `a1.channels.c1.checkpointDir = ${dir}/checkpoint`,
          `a1.channels.c1.dataDirs = ${dir}/data`,
          'a1.channels.c1.capacity = 1000000',
          'a1.channels.c1.transactionCapacity = 1000',
        ]
      : ['a1.channels.c1.type = memory', 'a1.channels.c1.capacity = 1000000', 'a1.channels.c1.transactionCapacity = 1000']),
    `a1.sinks.k1.type = ${v.kind}`,
    'a1.sinks.k1.channel = c1',
    'a1.sinks.k1.hostname = 127.0.0.1',
    `a1.sinks.k1.port = ${tsPort}`,
    'a1.sinks.k1.batch-size = 1000',
    ...Object.entries(v.outbound.flume).map(([k, x]) => `a1.sinks.k1.${k} = ${x}`),
  ];
  return lines.join('\n') + '\n';
}

export async function startRig(v: Variant): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rpc-interop-${v.kind}-`));
  const flumePort = await freePort();
  const tsPort = await freePort();
  const out = memory('out', EVENTS * 3, 1000);
  const srcSpec = v.kind === 'avro' ? avroSource : thriftSource;
  const makeSource = () =>
    create(
      srcSpec,
      { bind: '127.0.0.1', port: String(tsPort), ...v.outbound.ts },
      { name: 'ts-src', processor: processorFor(out), logger: quiet },
    ) as RpcSource;
  let source = makeSource();
  await source.start();
  const confFile = path.join(dir, 'flume.conf');
  fs.writeFileSync(confFile, flumeConf(v, flumePort, tsPort, dir));
  const launch = async () => {
    const agent = startFlumeAgent({ confFile, name: 'a1', heap: '384m', logDir: path.join(dir, 'logs'), args: ['--no-reload-conf'] });
    await waitFor('flume source port', () => portOpen(flumePort), { alive: agent.alive, timeoutMs: 90_000, logFile: agent.logFile });
    return agent;
  };
  let flume = await launch();
  const inCh = memory('in', EVENTS + 1000, 1000);
  const sinkSpec = v.kind === 'avro' ? avroSink : thriftSink;
  const sink = create(
    sinkSpec,
    {
      hostname: '127.0.0.1',
      port: String(flumePort),
      'batch-size': '1000',
      'request-timeout': '5000',
      'connect-timeout': '5000',
      ...v.inbound.ts,
    },
    { name: 'ts-sink', channel: inCh, logger: quiet },
  ) as RpcSink;
  const rig: Rig = {
    get flume() {
      return flume;
    },
    flumePort,
    tsPort,
    get source() {
      return source;
    },
    out,
    sink,
    in: inCh,
    dir,
    async restartFlume(kill) {
      if (kill) process.kill(flume.pid, 'SIGKILL');
      await flume.stop(15_000);
      flume = await launch();
    },
    async restartSource(pauseMs) {
      await source.stop();
      await new Promise((r) => setTimeout(r, pauseMs));
      source = makeSource();
      await source.start();
    },
    async close() {
      await sink.stop();
      await flume.stop(15_000);
      await source.stop();
    },
  };
  return rig;
}

export async function putAll(ch: Channel, events: readonly Event[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const tx = ch.begin();
    tx.putAll(events.slice(i, i + 1000));
    await tx.commit();
  }
}

/** Runs the flume-ts sink until its channel is empty, with Flume's 5 s back-off replaced by 200 ms; bounded. */
export async function pump(sink: RpcSink, deadlineMs: number, onBatch?: (n: number) => Promise<void>): Promise<number> {
  const end = Date.now() + deadlineMs;
  let failures = 0;
  let batches = 0;
  // until the channel is empty and the sink says BACKOFF: its last batches in flight are then answered and committed
  for (;;) {
    if (Date.now() > end) throw new Error(`sink did not drain within ${deadlineMs} ms (${sink.channel.size()} left, ${failures} failures)`);
    try {
      if ((await sink.process()) === 'BACKOFF' && sink.channel.size() === 0) break;
      batches++;
      await onBatch?.(batches);
    } catch {
      failures++;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return failures;
}

/** Takes everything from `ch` until `n` distinct events arrived (bounded). */
export async function collect(
  ch: Channel,
  n: number,
  deadlineMs: number,
  key: (e: Event) => string = (e) => e.headers.seq!,
): Promise<{ events: Event[]; distinct: Map<string, Event> }> {
  const events: Event[] = [];
  const distinct = new Map<string, Event>();
  const end = Date.now() + deadlineMs;
  while (distinct.size < n) {
    if (Date.now() > end) throw new Error(`only ${distinct.size} of ${n} distinct events arrived within ${deadlineMs} ms`);
    const tx = ch.begin();
    const got = await tx.take(1000);
    await tx.commit();
    if (got.length === 0) {
      await ch.waitForEvents(200);
      continue;
    }
    for (const e of got) {
      events.push(e);
      distinct.set(key(e), e);
    }
  }
  return { events, distinct };
}

/**
 * The restart scenario shared by the avro and thrift suites: sends `n` events through `rig`, kills the Flume tier
 * (file channel) at batch 5 while the flume-ts sink is mid-stream (the sink must roll back and resend), and restarts
 * the flume-ts receiving source at batch 15 while Flume's sink sends to it (Flume must roll back and resend).
 */
export async function restartScenario(rig: Rig, kind: Kind, n: number) {
  const events = makeEvents(n);
  await putAll(rig.in, events);
  const restarts: Promise<void>[] = [];
  const failures = await pump(rig.sink, 300_000, async (b) => {
    if (b === 5) restarts.push(new Promise((res) => setTimeout(res, 5)).then(() => rig.restartFlume(true)));
    if (b === 15) restarts.push(rig.restartSource(2000));
  });
  await Promise.all(restarts);
  const { events: got, distinct } = await collect(rig.out, n, 300_000);
  console.log(
    `[${kind} restart] ${n} events; flume-ts sink failures ${failures}; received ${got.length} (${got.length - distinct.size} duplicates)`,
  );
  return { events, failures, distinct, flumeLog: fs.readFileSync(rig.flume.logFile, 'utf8') };
}
