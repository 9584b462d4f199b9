// Child process for file-crash.test.ts: drives a FileChannel directly, the way an agent does, until it is killed.
// argv: <compiled src dir> <work dir> <run|drain> <base number>
// Producers commit batches of numbered events and print `ACK <first> <last>` once each commit returned.
// One consumer takes batches, appends them to <work>/out.txt (fdatasync) and then commits (like file_roll);
// some of its transactions roll back. In `drain` mode there are no producers: it drains, stops cleanly, prints DRAINED.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [build, work, mode, baseS] = process.argv.slice(2);
const { FileChannel } = await import(pathToFileURL(path.join(build, 'components/channels/file/channel.js')).href);
const { pino } = await import('pino');

const ch = new FileChannel('c1', {
  checkpointDir: path.join(work, 'ckpt'),
  backupCheckpointDir: path.join(work, 'backup'),
  useDualCheckpoints: true,
  dataDirs: [path.join(work, 'data1'), path.join(work, 'data2')],
  capacity: 100000,
  transactionCapacity: 1000,
  keepAliveSeconds: 3,
  checkpointIntervalMs: 150,
  maxFileSize: 256 * 1024,
  minimumRequiredSpace: 1024 * 1024,
  checkpointOnClose: true,
  fsyncPerTransaction: true,
  fsyncIntervalSeconds: 5,
  cacheBytes: mode === 'drain' ? 0 : 64 * 1024,
  logger: pino({ level: 'warn' }, pino.destination(2)),
});
await ch.start();
const r = ch.lastReplay;
process.stdout.write(`READY ${r.queueSize} ${r.transactionsReplayed} ${r.corrupt.length} ${r.checkpoint}\n`);

const outFile = path.join(work, 'out.txt');
const out = await fs.promises.open(outFile, 'a+');
{
  // a line torn by the previous kill must not glue onto our first line
  const size = (await out.stat()).size;
  if (size > 0) {
    const last = Buffer.alloc(1);
    await out.read(last, 0, 1, size - 1);
    if (last[0] !== 10) await out.write('\n');
  }
}

let stopping = false;
const rnd = (n) => Math.floor(Math.random() * n);

async function producer(p) {
  let n = Number(baseS) + p * 1_000_000;
  while (!stopping) {
    const k = 1 + rnd(60);
    const tx = ch.begin();
    const events = [];
    for (let i = 0; i < k; i++) events.push({ headers: { p: String(p) }, body: Buffer.from(`e${n + i}`) });
    tx.putAll(events);
    try {
      await tx.commit();
      process.stdout.write(`ACK ${n} ${n + k - 1}\n`);
    } catch (err) {
      await tx.rollback();
      process.stderr.write(`put failed: ${err.message}\n`);
    }
    n += k;
    if (rnd(3) === 0) await new Promise((res) => setTimeout(res, rnd(5)));
  }
}

async function consumer() {
  for (;;) {
    const tx = ch.begin();
    const got = await tx.take(1 + rnd(200));
    if (got.length === 0) {
      await tx.commit();
      if (mode === 'drain' && ch.size() === 0) return;
      await ch.waitForEvents(20);
      continue;
    }
    if (mode !== 'drain' && rnd(10) === 0) {
      await tx.rollback(); // a failing sink
      continue;
    }
    await out.write(got.map((e) => e.body.toString() + '\n').join(''));
    await out.datasync();
    await tx.commit();
  }
}

if (mode === 'drain') {
  await consumer();
  await ch.stop();
  await out.close();
  const logs = (d) => fs.readdirSync(path.join(work, d)).filter((f) => f.startsWith('log-')).length;
  const left = logs('data1') + logs('data2');
  process.stdout.write(`DRAINED ${left}\n`);
} else {
  void consumer();
  for (let p = 0; p < 3; p++) void producer(p);
}
