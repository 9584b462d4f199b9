/** SpoolDirectorySource on a real filesystem: positions, resume, policies, orders, deserializers and error cases. */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type SpoolDirectorySource, spoolDirSource } from '../../../src/components/sources/spooldir/index.js';
import { PositionTracker, readPosition, META_FILE_NAME } from '../../../src/components/sources/spooldir/position.js';
import { crc64AvroHex } from '../../../src/components/sources/spooldir/avro.js';
import { ChannelFullError } from '../../../src/core/errors.js';
import type { Event } from '../../../src/core/event.js';
import type { ChannelProcessor } from '../../../src/core/source.js';
import { create } from '../../support/context.js';
import { tmpDir, waitFor } from '../../support/agent-process.js';
import { PaceGate } from '../../support/pace-gate.js';
import { MIX, avroFile, listTree, writeMix } from '../../e2e/sources/spool-mix.js';

class Collector implements ChannelProcessor {
  readonly maxBatchSize = 1000;
  events: Event[] = [];
  refuse = 0;
  pace?: () => Promise<void> | undefined;
  async processEvent(e: Event) {
    return this.processEventBatch([e]);
  }
  async processEventBatch(events: Event[]) {
    if (this.refuse > 0) {
      this.refuse--;
      throw new ChannelFullError('full');
    }
    this.events.push(...events);
  }
  lines(): string[] {
    return this.events.map((e) => e.body.toString('latin1'));
  }
}

let sources: SpoolDirectorySource[] = [];
afterEach(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  sources = [];
});

function source(raw: Record<string, string>, p = new Collector(), logs?: string[]): { src: SpoolDirectorySource; p: Collector } {
  const logger = logs ? pino({ level: 'info' }, { write: (s: string) => void logs.push(s) }) : undefined;
  const src = create(spoolDirSource, { pollDelay: '20', ...raw }, { processor: p, ...(logger ? { logger } : {}) }) as SpoolDirectorySource;
  sources.push(src);
  return { src, p };
}

const write = (dir: string, name: string, data: string | Buffer, mtimeSec?: number) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  if (mtimeSec !== undefined) fs.utimesSync(f, mtimeSec, mtimeSec);
};

describe("spooldir: position file in Flume's format", () => {
  it('appends positions and reads back the last one; a torn last block is ignored', () => {
    const d = tmpDir('spool-meta-');
    const meta = path.join(d, META_FILE_NAME);
    const t = PositionTracker.create(meta, '/x/y.log', 0, { ino: 7, mtimeMs: 1234 });
    t.store(100);
    t.store(250);
    t.close();
    expect(readPosition(meta)).toEqual({ target: '/x/y.log', offset: 250, identity: { ino: 7, mtimeMs: 1234 } });
    fs.appendFileSync(meta, Buffer.from([0x02, 0x06, 0x80])); // a block cut short by a crash
    expect(readPosition(meta)?.offset).toBe(250);
    expect(fs.readFileSync(meta).includes(Buffer.from('org.apache.flume.serialization'))).toBe(true);
  });

  it("CRC-64-AVRO fingerprints like Avro's SchemaNormalization", () => {
    expect(crc64AvroHex('"int"')).toBe('8f5c393f1ad57572'); // Avro spec test vector 0x7275d51a3f395c8f, little-endian
  });
});

describe('spooldir: reading', () => {
  it('reads the mix, marks every file done and leaves no meta file', async () => {
    const d = tmpDir('spool-mix-');
    writeMix(
      d,
      MIX.filter(([n]) => n !== '07-bad.txt'),
    );
    const { src, p } = source({ spoolDir: d });
    await src.start();
    // the meta file goes right after the last rename completes: a poll may see the rename on disk a turn before that
    const meta = path.join(d, '.flumespool', META_FILE_NAME);
    await waitFor(
      () => listTree(d).filter((n) => n.endsWith('.COMPLETED')).length === MIX.length - 1 && !fs.existsSync(meta),
      'all completed and the meta file gone',
      10_000,
    );
    const lines = p.lines();
    expect(lines.slice(0, 6)).toEqual(['alpha', 'beta', 'crlf one\r', 'crlf two\r', '', 'aaaaaaaaa']);
    expect(lines).toContain('last line without newline');
    expect(lines.filter((l) => l.startsWith('line ')).length).toBe(1000);
    expect(fs.existsSync(meta)).toBe(false);
  });

  it('reads no further while the channels ask it to wait for their sinks (pace), then completes the file', async () => {
    const d = tmpDir('spool-pace-');
    write(d, 'f.log', Array.from({ length: 250 }, (_, i) => `l${i}\n`).join(''));
    const p = new Collector();
    const gate = new PaceGate().close();
    p.pace = gate.pace;
    const { src } = source({ spoolDir: d, batchSize: '100' }, p);
    await src.start();
    await waitFor(() => gate.calls > 0, 'the source to ask');
    await new Promise((r) => setTimeout(r, 100));
    expect(p.events.length).toBe(0);
    gate.open();
    await waitFor(() => fs.existsSync(path.join(d, 'f.log.COMPLETED')), 'the file completed', 10_000);
    expect(p.lines()).toEqual(Array.from({ length: 250 }, (_, i) => `l${i}`));
  });

  it('resumes a file at its committed position after a crash, never from the start', async () => {
    const d = tmpDir('spool-resume-');
    const body = Array.from({ length: 10 }, (_, i) => `l${i}\n`).join('');
    write(d, 'f.log', body);
    fs.mkdirSync(path.join(d, '.flumespool'));
    const st = fs.statSync(path.join(d, 'f.log'));
    // as if a previous run committed l0..l3 and was killed
    PositionTracker.create(path.join(d, '.flumespool', META_FILE_NAME), path.join(d, 'f.log'), 12, {
      ino: st.ino,
      mtimeMs: Math.floor(st.mtimeMs),
    }).close();
    const { src, p } = source({ spoolDir: d });
    await src.start();
    await waitFor(() => fs.existsSync(path.join(d, 'f.log.COMPLETED')), 'completed', 5000);
    expect(p.lines()).toEqual(['l4', 'l5', 'l6', 'l7', 'l8', 'l9']);
  });

  it('keeps a refused batch and retries it (no loss, no skip)', async () => {
    const d = tmpDir('spool-full-');
    write(d, 'f.log', Array.from({ length: 250 }, (_, i) => `${i}\n`).join(''));
    const p = new Collector();
    p.refuse = 2;
    const { src } = source({ spoolDir: d, maxBackoff: '300' }, p);
    await src.start();
    await waitFor(() => fs.existsSync(path.join(d, 'f.log.COMPLETED')), 'completed', 10_000);
    expect(p.lines()).toEqual(Array.from({ length: 250 }, (_, i) => String(i)));
  });

  it('consumeOrder youngest, patterns, headers, recursive search and deletePolicy immediate', async () => {
    const d = tmpDir('spool-order-');
    fs.mkdirSync(path.join(d, 'sub'));
    fs.mkdirSync(path.join(d, '.hidden'));
    write(d, 'a.log', 'a\n', 1000);
    write(d, 'b.log', 'b\n', 3000);
    write(d, 'c.txt', 'c\n', 2000);
    write(d, 'skip.log', 'skip\n', 2500);
    write(d, 'sub/s.log', 's\n', 4000);
    write(d, '.hidden/h.log', 'h\n', 5000);
    const { src, p } = source({
      spoolDir: d,
      consumeOrder: 'YOUNGEST',
      includePattern: '.*\\.log',
      ignorePattern: 'skip.*',
      recursiveDirectorySearch: 'true',
      deletePolicy: 'immediate',
      fileHeader: 'true',
      basenameHeader: 'true',
      basenameHeaderKey: 'bn',
    });
    await src.start();
    await waitFor(() => p.events.length === 3, 'three files', 5000);
    expect(p.lines()).toEqual(['s', 'b', 'a']);
    expect(p.events[0]!.headers).toEqual({ file: path.join(d, 'sub', 's.log'), bn: 's.log' });
    await waitFor(() => !fs.existsSync(path.join(d, 'a.log')), 'deleted', 5000);
    expect(listTree(d)).toEqual(['.hidden/h.log', 'c.txt', 'skip.log']);
  });

  it('AVRO: refused batches inside a block are re-read from the last commit, not skipped', async () => {
    const d = tmpDir('spool-avro-');
    await avroFile(path.join(d, 'x.avro'), 200);
    const p = new Collector();
    let n = 0;
    const orig = p.processEventBatch.bind(p);
    p.processEventBatch = async (ev) => {
      if (n++ % 6 === 1) throw new ChannelFullError('full'); // some batches (in the middle of a block) are refused once
      return orig(ev);
    };
    const { src } = source({ spoolDir: d, deserializer: 'avro', batchSize: '7', maxBackoff: '1' }, p);
    await src.start();
    await waitFor(() => fs.existsSync(path.join(d, 'x.avro.COMPLETED')), 'completed', 10_000);
    expect(p.events.length).toBe(200);
    expect(new Set(p.events.map((e) => e.body.toString('latin1'))).size).toBe(200);
    expect(p.events.every((e) => e.headers['flume.avro.schema.hash']?.length === 16)).toBe(true);
  });

  it('BlobDeserializer: files in events of at most maxBlobLength bytes', async () => {
    const d = tmpDir('spool-blob-');
    write(d, 'x.bin', Buffer.alloc(2500, 7));
    const { src, p } = source({
      spoolDir: d,
      deserializer: 'org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder',
      'deserializer.maxBlobLength': '1000',
    });
    await src.start();
    await waitFor(() => fs.existsSync(path.join(d, 'x.bin.COMPLETED')), 'completed', 5000);
    expect(p.events.map((e) => e.body.length)).toEqual([1000, 1000, 500]);
  });

  it('bufferMaxLineLength overrides deserializer.maxLineLength for LINE; ISO-8859-1 in, UTF-8 out', async () => {
    const d = tmpDir('spool-latin-');
    write(d, 'x.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x0a]));
    const { src, p } = source({ spoolDir: d, inputCharset: 'ISO-8859-1', bufferMaxLineLength: '5' });
    await src.start();
    await waitFor(() => fs.existsSync(path.join(d, 'x.txt.COMPLETED')), 'completed', 5000);
    expect(p.events.map((e) => e.body.toString('utf8'))).toEqual(['café', '12345', '6']);
  });
});

describe("spooldir: Flume's error cases, with clear messages", () => {
  it('a missing directory fails start (the supervisor retries)', async () => {
    const d = path.join(tmpDir('spool-missing-'), 'nope');
    const { src } = source({ spoolDir: d });
    await expect(src.start()).rejects.toThrow(/Directory does not exist: .*nope/);
    fs.mkdirSync(d);
    await src.start();
  });

  it('a file modified after it was placed stops the source (FATAL, file named)', async () => {
    const d = tmpDir('spool-mod-');
    write(d, 'f.log', 'x\n'.repeat(500));
    const logs: string[] = [];
    const p = new Collector();
    let grown = false;
    const orig = p.processEventBatch.bind(p);
    p.processEventBatch = async (ev) => {
      if (!grown) {
        grown = true;
        fs.appendFileSync(path.join(d, 'f.log'), 'more\n');
      }
      return orig(ev);
    };
    const { src } = source({ spoolDir: d }, p, logs);
    await src.start();
    await waitFor(() => src.fatal !== undefined, 'fatal', 5000);
    expect(src.fatal!.code).toBe('FLUME_SPOOL_MODIFIED');
    expect(logs.join('\n')).toMatch(/FATAL.*Restart or reconfigure/);
    expect(logs.join('\n')).toMatch(/has (been modified|changed size) since being read: .*f\.log/);
    expect(fs.existsSync(path.join(d, 'f.log'))).toBe(true);
  });

  it('a name already completed stops the source; the file is left in place', async () => {
    const d = tmpDir('spool-reuse-');
    write(d, 'f.log.COMPLETED', 'old\n');
    write(d, 'f.log', 'new\n');
    const { src, p } = source({ spoolDir: d });
    await src.start();
    await waitFor(() => src.fatal !== undefined, 'fatal', 5000);
    expect(src.fatal!.message).toMatch(
      /File name has been re-used with different files. Spooling assumptions violated for .*f\.log\.COMPLETED/,
    );
    expect(p.lines()).toEqual(['new']);
    expect(listTree(d)).toEqual(['f.log', 'f.log.COMPLETED']);
  });

  it('an unreadable file is logged once and skipped; the others go on (as root: mode 000 is readable)', async () => {
    const d = tmpDir('spool-perm-');
    write(d, 'a.log', 'a\n', 1000);
    write(d, 'b.log', 'b\n', 2000);
    fs.chmodSync(path.join(d, 'a.log'), 0);
    const logs: string[] = [];
    const { src, p } = source({ spoolDir: d }, new Collector(), logs);
    await src.start();
    await waitFor(() => fs.existsSync(path.join(d, 'b.log.COMPLETED')), 'b completed', 5000);
    if (process.getuid?.() === 0) {
      expect(p.lines().sort()).toEqual(['a', 'b']); // root can read mode 000
      return;
    }
    expect(p.lines()).toEqual(['b']);
    expect(logs.filter((l) => l.includes('Exception opening file')).length).toBe(1);
  });

  it('decodeErrorPolicy FAIL: lines before the bad bytes are delivered, then FATAL with file and byte offset', async () => {
    const d = tmpDir('spool-fail-');
    write(d, 'bad.txt', Buffer.concat([Buffer.from('ok1\nok2\nx'), Buffer.from([0xc3, 0x28]), Buffer.from('\nnever\n')]));
    const logs: string[] = [];
    const { src, p } = source({ spoolDir: d }, new Collector(), logs);
    await src.start();
    await waitFor(() => src.fatal !== undefined, 'fatal', 5000);
    expect(p.lines()).toEqual(['ok1', 'ok2']);
    expect(logs.join('\n')).toMatch(/not valid UTF-8 at byte 9 of .*bad\.txt/);
    expect(listTree(d)).toEqual(['bad.txt']);
  });
});
