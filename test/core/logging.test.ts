import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RollingFile } from '../../src/core/log-file.js';
import { formatLine, textLine } from '../../src/core/logging.js';

describe('log lines', () => {
  it('never writes a key twice in one JSON line (a logged field replaces the binding of the same name)', () => {
    const pinoLine = '{"level":30,"time":1,"pid":7,"component":"source.r1","component":"x","msg":"a","msg":"b"}\n';
    const out = formatLine(pinoLine, 'json');
    expect(out).toBe('{"level":30,"time":1,"pid":7,"component":"x","msg":"b"}\n');
    const keys = [...out.matchAll(/"(\w+)":/g)].map((m) => m[1]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("text lines follow Flume's pattern: dd MMM yyyy HH:mm:ss,SSS LEVEL [component] - message fields", () => {
    const line = textLine({ level: 40, time: Date.UTC(2026, 11, 1, 1, 2, 3, 45), component: 'sink.k1', msg: 'slow', batch: 5 });
    expect(line).toMatch(/^\d\d Dec 2026 \d\d:02:03,045 WARN {2}\[sink\.k1\] - slow batch=5\n$/);
    const withErr = textLine({ level: 50, time: 0, msg: 'failed', err: { message: 'x', stack: 'Error: x\n    at y' } });
    expect(withErr).toMatch(/ERROR \[main\] - failed\nError: x\n {4}at y\n$/);
  });
});

describe('rolling log file', () => {
  it('rolls by size into archive/NAME.yyyyMMdd-i, keeps at most maxIndex archives a day', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flume-ts-log-'));
    const f = new RollingFile({ file: path.join(dir, 'flume.log'), maxBytes: 100, maxIndex: 3 });
    for (let i = 0; i < 20; i++) f.write(`line ${String(i).padStart(2, '0')} ${'x'.repeat(40)}\n`);
    f.close();
    const archives = readdirSync(path.join(dir, 'archive')).sort();
    expect(archives).toHaveLength(3);
    for (const a of archives) expect(a).toMatch(/^flume\.log\.\d{8}-[123]$/);
    // two lines per file: the live file has the last ones, the newest archive (highest index) the two before
    expect(readFileSync(path.join(dir, 'flume.log'), 'utf8')).toMatch(/^line 18 .*\nline 19 /);
    expect(readFileSync(path.join(dir, 'archive', archives[2]!), 'utf8')).toMatch(/^line 16 .*\nline 17 /);
  });
});
