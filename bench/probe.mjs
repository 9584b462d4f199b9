// Machine probe recorded with every benchmark result: cores, CPU model, kernel, memory, a loopback TCP
// throughput probe (Node → Node, one connection) and an fdatasync latency probe. Both probes are short and bounded.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** @param {number[]} xs @param {number} q */
export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Loopback: one connection, 64 KiB writes for `ms`, receiver discards. @returns {Promise<number>} MiB/s */
export function loopbackProbe(ms = 2000) {
  return new Promise((resolve, reject) => {
    let received = 0;
    const server = net.createServer((s) => s.on('data', (d) => (received += d.length)));
    server.listen(0, '127.0.0.1', () => {
      const port = /** @type {net.AddressInfo} */ (server.address()).port;
      const c = net.connect({ port, host: '127.0.0.1' }, async () => {
        const buf = Buffer.alloc(64 * 1024, 120);
        const t0 = Date.now();
        const end = t0 + ms;
        while (Date.now() < end) {
          if (!c.write(buf)) await new Promise((r) => c.once('drain', r));
        }
        const secs = (Date.now() - t0) / 1000;
        c.destroy();
        server.close();
        resolve(received / secs / 1048576);
      });
      c.on('error', reject);
    });
  });
}

/** fdatasync after each 4 KiB append, for `ms` (at most 5000 commits). @param {string} dir */
export function fsyncProbe(dir, ms = 2000) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `fsync-probe-${process.pid}.dat`);
  const fd = fs.openSync(file, 'w');
  const buf = Buffer.alloc(4096, 97);
  /** @type {number[]} */
  const lat = [];
  const end = Date.now() + ms;
  try {
    while (Date.now() < end && lat.length < 5000) {
      fs.writeSync(fd, buf);
      const t = process.hrtime.bigint();
      fs.fdatasyncSync(fd);
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return {
    commits: lat.length,
    perSecond: lat.length / (ms / 1000),
    p50ms: quantile(lat, 0.5),
    p99ms: quantile(lat, 0.99),
    maxMs: Math.max(...lat),
  };
}

/** @param {string} dir scratch directory on the disk the agents use */
export async function machineProbe(dir) {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? '?';
  const loopMiBs = await loopbackProbe();
  const fsync = fsyncProbe(dir);
  let java = '?';
  try {
    const { spawnSync } = await import('node:child_process');
    java = (spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0] ?? '?').trim();
  } catch {
    /* no java */
  }
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: model.trim(),
    kernel: `${os.type()} ${os.release()}`,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
    java,
    loopbackMiBs: Math.round(loopMiBs),
    fsync: {
      perSecond: Math.round(fsync.perSecond),
      p50ms: +fsync.p50ms.toFixed(2),
      p99ms: +fsync.p99ms.toFixed(2),
      maxMs: +fsync.maxMs.toFixed(1),
    },
  };
}
