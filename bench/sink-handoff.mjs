#!/usr/bin/env node
// What handing a file_roll batch to another thread costs, per batch, on the agent's (main) thread and in total:
//   pool    — today's path: FileHandle.write + FileHandle.stat (write(2) and fstat(2) on libuv's thread pool)
//   worker  — the encoded batch transferred (zero-copy) to a worker_thread that does writeSync + fstatSync and answers
//   inline  — writeSync + fstatSync on the main thread
// CPU = process.cpuUsage (all threads); main-thread CPU = performance.eventLoopUtilization's active time.
// Usage: node bench/sink-handoff.mjs [--batches 5000] [--bytes 100000] [--dir /dev/shm]
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '5000' },
    bytes: { type: 'string', default: '100000' },
    dir: { type: 'string', default: '/dev/shm' },
  },
});
const N = Number(values.batches);
const SIZE = Number(values.bytes);
const file = path.join(values.dir, `flume-ts-handoff-${process.pid}`);
const WRAP = 256 << 20; // rewind the file offset so that tmpfs use stays bounded

const workerSrc = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', ({ fd, buf, pos }) => {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off, pos + off);
  parentPort.postMessage(fs.fstatSync(fd).nlink);
});`;

async function measure(name, fn) {
  const elu0 = performance.eventLoopUtilization();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const elu = performance.eventLoopUtilization(elu0);
  const per = (x) => ((x * 1000) / N).toFixed(1);
  console.log(
    `${name.padEnd(8)} per batch: CPU all threads ${per((c.user + c.system) / 1000)} µs, main thread active ${per(elu.active)} µs, wall ${per(wall)} µs`,
  );
}

const fh = await open(file, 'w');
const fill = (b) => b.fill(120);
await measure('pool', async () => {
  let pos = 0;
  for (let i = 0; i < N; i++) {
    const b = fill(Buffer.allocUnsafe(SIZE));
    await fh.write(b, 0, b.length, pos);
    await fh.stat();
    pos = (pos + SIZE) % WRAP;
  }
});
await measure('inline', async () => {
  let pos = 0;
  for (let i = 0; i < N; i++) {
    const b = fill(Buffer.allocUnsafe(SIZE));
    let off = 0;
    while (off < b.length) off += fs.writeSync(fh.fd, b, off, b.length - off, pos + off);
    fs.fstatSync(fh.fd);
    pos = (pos + SIZE) % WRAP;
  }
});
const w = new Worker(workerSrc, { eval: true });
await new Promise((r) => w.once('online', r));
await measure('worker', async () => {
  let pos = 0;
  for (let i = 0; i < N; i++) {
    const b = fill(Buffer.allocUnsafe(SIZE));
    const u8 = new Uint8Array(b.buffer, b.byteOffset, b.length);
    const done = new Promise((r) => w.once('message', r));
    w.postMessage({ fd: fh.fd, buf: u8, pos }, b.byteOffset === 0 && b.length === b.buffer.byteLength ? [b.buffer] : []);
    await done;
    pos = (pos + SIZE) % WRAP;
  }
});
await w.terminate();
await fh.close();
fs.rmSync(file, { force: true });
console.log(
  `node ${process.version}, ${N} batches of ${SIZE} B into ${values.dir}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
