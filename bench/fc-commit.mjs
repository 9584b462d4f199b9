#!/usr/bin/env node
// File channel commit throughput in-process: P producers commit batches of B 100-byte events, one consumer takes
// batches of B; fsyncPerTransaction=true. Prints events/s taken and fdatasyncs/s over 4 s after a 1 s warm-up.
// Usage: npm run build && node bench/fc-commit.mjs [B=100] [P=1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { FileChannel } from '../dist/components/channels/file/channel.js';

const B = Number(process.argv[2] ?? 100);
const P = Number(process.argv[3] ?? 1);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-commit-'));
const ch = new FileChannel('c1', {
  checkpointDir: `${dir}/ck`,
  dataDirs: [`${dir}/d`],
  capacity: 1_000_000,
  transactionCapacity: 10000,
  keepAliveSeconds: 3,
  checkpointIntervalMs: 30000,
  maxFileSize: 1623195647,
  minimumRequiredSpace: 1 << 20,
  checkpointOnClose: false,
  fsyncPerTransaction: true,
  fsyncIntervalSeconds: 5,
  cacheBytes: 256 << 20,
  logger: pino({ level: 'warn' }),
});
await ch.start();
let stop = false;
let taken = 0;
const body = Buffer.alloc(100, 97);
async function producer() {
  while (!stop) {
    const tx = ch.begin();
    for (let i = 0; i < B; i++) tx.put({ headers: {}, body });
    try {
      await tx.commit();
    } catch {
      await tx.rollback();
    }
  }
}
async function consumer() {
  while (!stop) {
    const tx = ch.begin();
    const got = await tx.take(B);
    await tx.commit();
    taken += got.length;
    if (got.length === 0) await ch.waitForEvents(10);
  }
}
const loops = [consumer()];
for (let i = 0; i < P; i++) loops.push(producer());
await new Promise((r) => setTimeout(r, 1000));
const t0 = Date.now();
const k0 = taken;
const f0 = ch.stats.fsyncs;
await new Promise((r) => setTimeout(r, 4000));
const dt = (Date.now() - t0) / 1000;
console.log(`B=${B} P=${P}: ${Math.round((taken - k0) / dt)} events/s taken, ${Math.round((ch.stats.fsyncs - f0) / dt)} fdatasyncs/s`);
stop = true;
await Promise.all(loops);
await ch.stop();
fs.rmSync(dir, { recursive: true, force: true });
