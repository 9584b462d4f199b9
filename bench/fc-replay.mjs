#!/usr/bin/env node
// File channel start-up cost: puts N events (100-byte bodies, transactions of 10 000), then measures a full replay
// of the logs (checkpoint deleted), a start from the checkpoint, and reading every body back from the log.
// Usage: npm run build && node bench/fc-replay.mjs [N=1000000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { FileChannel } from '../dist/components/channels/file/channel.js';

const N = Number(process.argv[2] ?? 1_000_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-replay-'));
const mk = () =>
  new FileChannel('c1', {
    checkpointDir: `${dir}/ck`,
    dataDirs: [`${dir}/d`],
    capacity: 2 * N,
    transactionCapacity: 10000,
    keepAliveSeconds: 3,
    checkpointIntervalMs: 3_600_000,
    maxFileSize: 1623195647,
    minimumRequiredSpace: 1 << 20,
    checkpointOnClose: true,
    fsyncPerTransaction: true,
    fsyncIntervalSeconds: 5,
    cacheBytes: 0,
    logger: pino({ level: 'warn' }),
  });
try {
  let ch = mk();
  await ch.start();
  const body = Buffer.alloc(100, 97);
  let t = Date.now();
  for (let i = 0; i < N; i += 10000) {
    const tx = ch.begin();
    for (let j = 0; j < Math.min(10000, N - i); j++) tx.put({ headers: {}, body });
    await tx.commit();
  }
  console.log(`put ${N} events: ${Date.now() - t} ms`);
  await ch.abandon();
  fs.rmSync(`${dir}/ck/checkpoint`);
  t = Date.now();
  ch = mk();
  await ch.start();
  console.log(
    `start with a full replay (no checkpoint): ${Date.now() - t} ms, ${ch.size()} events, ${ch.lastReplay.bytesScanned} bytes scanned`,
  );
  await ch.stop();
  t = Date.now();
  ch = mk();
  await ch.start();
  console.log(`start from the checkpoint: ${Date.now() - t} ms, ${ch.size()} events`);
  t = Date.now();
  let n = 0;
  for (;;) {
    const tx = ch.begin();
    const got = await tx.take(10000);
    await tx.commit();
    n += got.length;
    if (got.length === 0) break;
  }
  console.log(`take ${n} events read back from the log: ${Date.now() - t} ms`);
  await ch.stop();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
