/**
 * Differential test of the syslog parsers against Flume 1.11's own classes: test/support/java/SyslogDump.java runs
 * SyslogUtils (syslogtcp/syslogudp) and SyslogParser (multiport_syslogtcp) on the corpus with a fixed clock and time
 * zone, and prints every event as header_and_text would (Java's HashMap order) with its body; ours must print the same.
 * Known, documented differences are applied explicitly (see docs/syslog.md):
 * - bodies keep the received bytes where Flume re-encodes text (bytes that are not UTF-8 become U+FFFD in Flume);
 * - SyslogParser lines where Flume throws an unexpected exception (and loses its batch) are Invalid events here;
 * - `-` time stamps in SyslogParser use the wall clock in Flume (not the fixed one): compared loosely.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME } from '../../../scripts/services/lib.mjs';
import { javaMapToString } from '../../../src/components/shared/java-hashmap.js';
import type { Event } from '../../../src/core/event.js';
import { chooseFieldsToKeep } from '../../../src/components/sources/syslog/keep-fields.js';
import {
  customFormatter,
  SyslogUtils,
  EVENT_STATUS,
  flumeCopiedHeaders,
  type CustomFormat,
} from '../../../src/components/sources/syslog/syslog-utils.js';
import { parseMessage } from '../../../src/components/sources/syslog/syslog-parser.js';
import { corpusLines, exact40, longLine } from './corpus.js';

const LIB = path.join(HOME, 'lib', 'flume');
const haveFlume = fs.existsSync(path.join(LIB, 'flume-ng-core-1.11.0.jar'));

interface Case {
  kind: 'tcp' | 'udp' | 'parser' | 'tcpfmt';
  format?: CustomFormat;
  keep: string;
  size: number;
  chunks: Buffer[];
}

const buf = (x: string | Buffer) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x);
const lines = corpusLines.map(buf);
const stream = (ls: Buffer[]) => Buffer.concat(ls.flatMap((l) => [l, Buffer.from('\n')]));

function cases(): Case[] {
  const all = stream(lines);
  const out: Case[] = [];
  for (const keep of ['none', 'all', 'priority,version timestamp hostname', 'hostname'])
    out.push({ kind: 'tcp', keep, size: 2500, chunks: [all] });
  out.push({
    kind: 'tcp',
    keep: 'none',
    size: 40,
    chunks: [stream([...lines.slice(0, 10), buf(exact40), buf(longLine), buf('<13>after')])],
  });
  out.push({ kind: 'tcp', keep: 'none', size: 2500, chunks: [stream([buf(longLine), buf('<13>Jan 12 10:00:00 host next')])] });
  // the same stream cut into small reads at odd places
  const cuts: Buffer[] = [];
  for (let i = 0; i < all.length; i += 7 + (i % 13)) cuts.push(all.subarray(i, Math.min(all.length, i + 7 + (i % 13))));
  out.push({ kind: 'tcp', keep: 'none', size: 2500, chunks: cuts });
  out.push({ kind: 'udp', keep: 'none', size: 2500, chunks: lines.filter((l) => l.length > 0) });
  out.push({
    kind: 'udp',
    keep: 'all',
    size: 2500,
    chunks: lines.filter((l) => l.length > 0).map((l) => Buffer.concat([l, Buffer.from('\n')])),
  });
  const custom = [
    '<13>2026/11/30 10:00:00 myhost custom body',
    '<13>1 2026/02/30 25:00:00 myhost lenient custom',
    '<13>Jan 12 10:00:00 host falls back to 3164',
    '<13>nothing matches',
  ].map(buf);
  out.push({
    kind: 'tcpfmt',
    keep: 'none',
    size: 2500,
    chunks: [stream(custom)],
    format: {
      regex: '<(\\d+)>(\\d?) ?(\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}) (\\S+) (.*)',
      search: '/',
      replace: '-',
      dateFormat: 'yyyy-MM-dd HH:mm:ss',
    },
  });
  out.push({ kind: 'tcpfmt', keep: 'hostname', size: 2500, chunks: [stream(custom)], format: { regex: '<(\\d+)>(\\d)? ?(.*)' } });
  for (const keep of ['none', 'all', 'priority timestamp,hostname version']) {
    out.push({ kind: 'parser', keep, size: 2500, chunks: lines.filter((l) => l.length > 0 && !l.includes(0)) });
  }
  return out;
}

const render = (e: Event) => `${javaMapToString(e.headers)}\t${e.body.toString('base64')}`;

function ours(c: Case, now: number): string[] {
  const keep = chooseFieldsToKeep(c.keep);
  const out: string[] = [];
  const custom = c.format ? customFormatter(c.format) : undefined;
  const utils = new SyslogUtils({ eventSize: c.kind === 'udp' ? 1 << 16 : c.size, keepFields: keep, now: () => now, custom });
  for (const chunk of c.chunks) {
    if (c.kind === 'parser') {
      try {
        const p = parseMessage(chunk.toString('utf8'), keep, () => now);
        out.push(render({ headers: flumeCopiedHeaders(p.headers), body: Buffer.from(p.body, 'utf8') }));
      } catch {
        out.push('INVALID');
      }
      continue;
    }
    for (let pos = 0; pos < chunk.length; ) {
      const r = utils.extract(chunk, pos);
      pos = r.pos;
      if (r.event) out.push(render(r.event));
    }
    if (c.kind === 'udp') {
      const last = utils.flush();
      if (last) out.push(render(last));
    }
  }
  return out;
}

const b64 = (v: string | undefined) => (v === undefined ? '-' : Buffer.from(v, 'utf8').toString('base64'));
const fmtFields = (c: Case) =>
  c.kind === 'tcpfmt' ? [b64(c.format?.regex), b64(c.format?.search), b64(c.format?.replace), b64(c.format?.dateFormat)] : [];

function compile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'syslog-dump-'));
  execFileSync('javac', ['-cp', `${LIB}/*`, '-d', dir, fileURLToPath(new URL('../../support/java/SyslogDump.java', import.meta.url))], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const rows = cases().map((c) =>
    [c.kind, c.keep, String(c.size), ...fmtFields(c), ...c.chunks.map((b) => b.toString('base64'))].join('\t'),
  );
  fs.writeFileSync(path.join(dir, 'in.txt'), rows.join('\n') + '\n');
  return dir;
}

function flume(dir: string, now: number, tz: string): string[][] {
  const input = path.join(dir, 'in.txt');
  const text = execFileSync(
    'java',
    ['-Xshare:auto', '-Dfile.encoding=UTF-8', '-Dlog4j2.level=OFF', '-cp', `${dir}:${LIB}/*`, 'SyslogDump', input, String(now)],
    {
      encoding: 'utf8',
      env: { ...process.env, TZ: tz, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    },
  );
  const groups = text.split('#\n').slice(1);
  return groups.map((g) => g.split('\n').filter((l) => l.length > 0));
}

/** Flume's body is text re-encoded: bytes that are not UTF-8 became U+FFFD. */
function flumeBody(line: string): string {
  const tab = line.lastIndexOf('\t');
  if (tab < 0) return line;
  const body = Buffer.from(line.slice(tab + 1), 'base64');
  return `${line.slice(0, tab)}\t${Buffer.from(body.toString('utf8'), 'utf8').toString('base64')}`;
}

const runs = [
  { tz: 'UTC', now: Date.UTC(2026, 10, 30, 22, 0, 0) },
  { tz: 'America/New_York', now: Date.UTC(2026, 0, 10, 12, 0, 0) },
  { tz: 'Asia/Kolkata', now: Date.UTC(2027, 5, 15, 3, 4, 5) },
];

describe.skipIf(!haveFlume)('syslog parsers agree with Flume 1.11 (SyslogUtils, SyslogParser)', () => {
  const savedTz = process.env.TZ;
  const cs = cases();
  const expected = new Map<string, string[][]>();
  let dir = '';
  beforeAll(() => {
    dir = compile();
    for (const r of runs) expected.set(r.tz, flume(dir, r.now, r.tz));
  }, 120_000);
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  for (const r of runs) {
    cs.forEach((c, i) => {
      it(`${r.tz}: ${c.kind} keepFields=${c.keep} eventSize=${c.size} (case ${i})`, () => {
        process.env.TZ = r.tz;
        const want = expected.get(r.tz)![i]!.map((l) => (l.startsWith('DROP:') ? 'INVALID' : l));
        const got = ours(c, r.now);
        const norm = (l: string, k: number) => {
          let s = flumeBody(l);
          // SyslogParser takes the wall clock for "-" stamps
          if (c.kind === 'parser' && /^<\d+>(1 )?- /.test(c.chunks[k]!.toString('latin1'))) s = s.replace(/timestamp=\d+/, 'timestamp=*');
          return s;
        };
        expect(got.length).toBe(want.length);
        expect(got.map(norm)).toEqual(want.map(norm));
      });
    });
  }

  it('keeps the received bytes in the body where Flume re-encodes them', () => {
    process.env.TZ = 'UTC';
    const utils = new SyslogUtils({ eventSize: 2500, keepFields: undefined });
    const raw = Buffer.from('<13>Jan 12 10:00:00 host caf\u00e9\n', 'latin1');
    const e = utils.extract(raw, 0).event!;
    expect(e.body).toEqual(Buffer.from('caf\u00e9', 'latin1'));
    expect(e.headers[EVENT_STATUS]).toBeUndefined();
  });
});
