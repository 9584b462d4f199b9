// Every kind of file the hive sink's ORC writer produces, read back by the ORC project's own tools
// (org.apache.orc:orc-tools uber jar: `data` decodes every row, `meta` parses footer, stripes and statistics).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrcValue } from '../../../src/components/sinks/hive/orc/columns.js';
import { parseHiveType } from '../../../src/components/sinks/hive/orc/types.js';
import { OrcWriter } from '../../../src/components/sinks/hive/orc/writer.js';
import { ensureArtifacts } from '../../../scripts/services/lib.mjs';

const SCHEMA =
  'struct<b:boolean,t:tinyint,s:smallint,i:int,l:bigint,f:float,d:double,dec:decimal(10,2),str:string,' +
  'vc:varchar(5),ch:char(4),bin:binary,dt:date,ts:timestamp,st:struct<x:int,y:string>>';

let dir: string;
let jar: string;

beforeAll(() => {
  jar = path.join(ensureArtifacts('orc-tools'), 'orc-tools-1.9.4-uber.jar');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orc-tools-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function orcTools(cmd: 'data' | 'meta', files: string[]): string {
  const r = spawnSync('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-jar', jar, cmd, ...files], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`orc-tools ${cmd} failed: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Row i of the test data, and what orc-tools prints for it. Some rows are null in every nullable column. */
function row(i: number): { values: OrcValue[]; json: Record<string, unknown> } {
  const n = i % 7 === 3; // null row
  const str = i % 11 === 0 ? '' : `s${i}-${'é'.repeat(i % 4)}`;
  const ts = 1_700_000_000 + i * 37;
  const nanos = (i % 5) * 123_456_000;
  const values: OrcValue[] = [
    n ? null : i % 3 === 0,
    n ? null : (i % 256) - 128,
    n ? null : (i * 13) % 30000,
    n ? null : i * 1_000_003 - 500_000_000,
    n ? null : BigInt(i) * 3_000_000_000_017n - 9_000_000_000_000_000_000n,
    n ? null : i / 4,
    n ? null : i * -2.5,
    n ? null : BigInt(i * 1001 - 50000),
    n ? null : str,
    n ? null : 'abcdefg',
    n ? null : 'z',
    n ? null : Buffer.from([i & 0xff, 0, 0xff]),
    n ? null : 19000 + i,
    n ? null : { seconds: BigInt(ts), nanos },
    i % 5 === 4 ? null : [n ? null : i, `y${i}`],
  ];
  const d = new Date(ts * 1000).toISOString().replace('T', ' ').slice(0, 19);
  const frac = nanos === 0 ? '.0' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  const dec = (i * 1001 - 50000) / 100;
  const json: Record<string, unknown> = n
    ? { b: null, t: null, s: null, i: null, l: null, f: null, d: null, dec: null, str: null, vc: null, ch: null }
    : {
        b: i % 3 === 0,
        t: (i % 256) - 128,
        s: (i * 13) % 30000,
        i: i * 1_000_003 - 500_000_000,
        l: String(BigInt(i) * 3_000_000_000_017n - 9_000_000_000_000_000_000n),
        f: Math.fround(i / 4),
        d: i * -2.5,
        dec: String(dec),
        str,
        vc: 'abcde',
        ch: 'z',
      };
  if (!n) {
    json.bin = [i & 0xff, 0, 255];
    json.dt = new Date((19000 + i) * 86_400_000).toISOString().slice(0, 10);
    json.ts = `${d}${frac}`;
  } else Object.assign(json, { bin: null, dt: null, ts: null });
  json.st = i % 5 === 4 ? null : { x: n ? null : i, y: `y${i}` };
  return { values, json };
}

/** orc-tools prints bigints as JSON numbers: compare them as strings. */
function parseLine(line: string): Record<string, unknown> {
  return JSON.parse(line.replace(/"l":(-?\d+)/, '"l":"$1"'));
}

describe('ORC writer checked by orc-tools 1.9.4', () => {
  it.each([
    ['ZLIB', 3000],
    ['NONE', 50],
    ['ZLIB', 0],
  ] as const)('%s compression, %i rows: every value reads back', (compression, rows) => {
    const w = new OrcWriter(parseHiveType(SCHEMA), { compression, blockSize: 4096 });
    const expected: Record<string, unknown>[] = [];
    for (let i = 0; i < rows; i++) {
      const r = row(i);
      w.addRow(r.values);
      expected.push(r.json);
    }
    w.addUserMetadata('hive.acid.version', '2');
    const file = path.join(dir, `t-${compression}-${rows}.orc`);
    fs.writeFileSync(file, w.finish());
    const lines = orcTools('data', [file])
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBe(rows);
    for (let i = 0; i < rows; i++) expect({ i, ...parseLine(lines[i]) }).toEqual({ i, ...expected[i] });
    const meta = orcTools('meta', [file]);
    expect(meta).toContain(`Rows: ${rows}`);
    expect(meta).toContain(`Compression: ${compression}`);
    expect(meta).toContain('hive.acid.version');
    if (rows > 0) expect(meta).toMatch(/Column 4: count: \d+ hasNull: true min: -500000000 max: -?\d+ sum: -?\d+/);
  });
});
