// The collector of bench/s3.mjs, on its own thread: flume-ts' Avro server code (the same for F and T) reading each
// body's send time. Until 2026-12-02 it shared the generator's thread; there it was the slowest hop of the chain
// (tier 2's sink waited on it, its channel held the window while both tiers idled 66–80 %), so the closed-loop rate
// measured the bench process, not the agents. Shared memory, written here and read by the main thread:
//   ctl[0]  1 while latencies are recorded          ctl[1]  events received (all phases)
//   hist[m] events whose latency was m ms (the last bucket takes everything longer)
import { parentPort, workerData } from 'node:worker_threads';

const { port, sab } = workerData;
const ctl = new Int32Array(sab, 0, 2);
const hist = new Uint32Array(sab, 8);
const last = hist.length - 1;

const { avroCollector } = await import('./avro-collector.mjs');

/** body: "<12-digit seq> <13-digit ms> filler" @param {{ body: Buffer }[]} events */
const record = (events) => {
  if (Atomics.load(ctl, 0) === 1) {
    const now = Date.now();
    for (const e of events) {
      const b = e.body;
      let t = 0;
      for (let i = 13; i < 26; i++) t = t * 10 + (b[i] - 48);
      hist[Math.min(last, Math.max(0, now - t))]++;
    }
  }
  Atomics.add(ctl, 1, events.length);
  return 'OK';
};
const server = avroCollector(port, record);
await server.listen();
parentPort.postMessage('listening');
parentPort.on('message', async (m) => {
  if (m === 'close') {
    await server.close();
    parentPort.close();
  }
});
