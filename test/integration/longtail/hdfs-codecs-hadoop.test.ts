/**
 * The hdfs sink's CompressedStream codecs read back by Hadoop 3.4's own codecs (java/ReadCodec.java, the Hadoop
 * client jars of the Flume harness, no native libraries): bzip2 and lz4 (and gzip, snappy for comparison), with
 * several flushes (one compressed unit each, as Flume writes them) and data larger than a codec buffer.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompressedStreamFormat, resolveCodec } from '../../../src/components/sinks/hdfs/formats.js';
import { textSerializer } from '../../../src/components/serializers/text.js';
import { createEvent } from '../../../src/core/event.js';
import { ensureArtifacts } from '../../../scripts/services/lib.mjs';
import { create } from '../../support/context.js';
import { tmpDir } from './helpers.js';

let cp = '';
let classes = '';
beforeAll(() => {
  cp = path.join(ensureArtifacts('flume'), '*');
  classes = tmpDir('readcodec-');
  execFileSync('javac', ['-d', classes, '-cp', cp, path.join(import.meta.dirname, 'java', 'ReadCodec.java')], { stdio: 'pipe' });
});

function writeFile(codecName: string, batches: string[][]): string {
  const codec = resolveCodec(codecName)!;
  const f = new CompressedStreamFormat(create(textSerializer, {}) as never, codec);
  const parts: Buffer[] = [];
  for (const b of batches) {
    for (const line of b) f.append(createEvent(line));
    f.sync();
    parts.push(f.take());
  }
  f.close();
  parts.push(f.take());
  const file = path.join(tmpDir('codec-'), `data${codec.extension}`);
  fs.writeFileSync(file, Buffer.concat(parts));
  return file;
}

const readByHadoop = (codecClass: string, file: string) => {
  const args = ['-Xmx128m', '-cp', `${classes}${path.delimiter}${cp}`, 'ReadCodec', codecClass, file];
  return execFileSync('java', args, { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
};

describe('hdfs codecs read back by Hadoop 3.4 (no native libraries)', () => {
  const big = Array.from({ length: 30000 }, (_, i) => `line ${i} ${'x'.repeat(i % 40)}`);
  const batches = [['a', 'b'], big, ['tail ü'], ['']];
  const expected = Buffer.from(
    batches
      .flat()
      .map((l) => `${l}\n`)
      .join(''),
    'utf8',
  );
  for (const [name, cls] of [
    ['bzip2', 'org.apache.hadoop.io.compress.BZip2Codec'],
    ['lz4', 'org.apache.hadoop.io.compress.Lz4Codec'],
    ['gzip', 'org.apache.hadoop.io.compress.GzipCodec'],
    ['snappy', 'org.apache.hadoop.io.compress.SnappyCodec'],
  ] as const) {
    it(`${name}: concatenated units, > 256 KiB`, () => {
      const got = readByHadoop(cls, writeFile(name, batches));
      expect(got.length).toBe(expected.length);
      expect(got.equals(expected)).toBe(true);
    });
  }
});
