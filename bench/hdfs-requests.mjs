#!/usr/bin/env node
// Requests of the HDFS sink from a flume-ts log at debug level ("Written": file, bytes, ms per CREATE/APPEND):
// files, files written in one request, requests per file, latency and events (100-byte lines) per CREATE and per APPEND.
// Usage: FLUME_TS_LOG_LEVEL=debug node bench/run.mjs hdfs-100 --agents ts …; node bench/hdfs-requests.mjs .bench/<run>/<replicate>/logs/stdout.log
import fs from 'node:fs';
const L = fs
  .readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      return null;
    }
  })
  .filter(Boolean);
const f = {};
for (const l of L) if (l.msg === 'Written') (f[l.file] ??= []).push(l);
const files = Object.values(f);
const c = files.map((x) => x[0]),
  a = files.flatMap((x) => x.slice(1));
const pct = (xs, p) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
const row = (n, xs) =>
  `${n}: ${xs.length}, ms p10/p50/p90 ${[0.1, 0.5, 0.9]
    .map((p) =>
      pct(
        xs.map((x) => x.ms),
        p,
      ),
    )
    .join('/')}, events p50 ${pct(
    xs.map((x) => x.bytes / 100),
    0.5,
  )}`;
console.log(
  `files ${files.length}, one-request files ${files.filter((x) => x.length === 1).length}, requests/file ${((c.length + a.length) / files.length).toFixed(2)}; ${row('CREATE', c)}; ${row('APPEND', a)}`,
);
