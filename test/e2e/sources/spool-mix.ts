/** A spool directory's worth of awkward files, the same bytes and mtimes every time (the consume order is by mtime). */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import avro from 'avsc';

export const MIX: Array<[string, Buffer]> = [
  ['01-plain.txt', Buffer.from('alpha\nbeta\n')],
  ['02-crlf.txt', Buffer.from('crlf one\r\ncrlf two\r\n')],
  ['03-empty.txt', Buffer.alloc(0)],
  ['04-long.txt', Buffer.from(`${'a'.repeat(9)}\n${'b'.repeat(10)}\n${'c'.repeat(11)}\n${'d'.repeat(25)}\n`)],
  ['05-nonl.txt', Buffer.from('last line without newline')],
  ['06-unicode.txt', Buffer.from('héllo wörld €uro\nñ\n')],
  [
    '07-bad.txt',
    Buffer.concat([
      Buffer.from('good line\nx'),
      Buffer.from([0xff]),
      Buffer.from('y\nz'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('w\nafter\n'),
    ]),
  ],
  ['08-many.txt', Buffer.from(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(''))],
  ['09-after.txt', Buffer.from('after the bad file\n')],
];

/** Writes MIX into `dir` (created), with mtimes one second apart in MIX order. */
export function writeMix(dir: string, files = MIX): void {
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.UTC(2020, 0, 1) / 1000;
  files.forEach(([name, data], i) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, data);
    fs.utimesSync(p, t0 + i, t0 + i);
  });
}

/** Every name under `dir` (relative, sorted), with the tracker dir's contents; canaries and the meta file left out. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (!e.name.endsWith('.meta')) out.push(r);
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out.sort();
}

/** The concatenated file_roll output of `dir` (files in name order). */
export function rollOutput(dir: string): Buffer {
  if (!fs.existsSync(dir)) return Buffer.alloc(0);
  return Buffer.concat(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => fs.readFileSync(path.join(dir, f))),
  );
}

/** An Avro container file (deflate, small blocks so that batches cross block boundaries). */
export async function avroFile(file: string, records = 50): Promise<void> {
  const type = avro.Type.forSchema({
    type: 'record',
    name: 'Rec',
    namespace: 'x.y',
    fields: [
      { name: 'id', type: 'long' },
      { name: 's', type: 'string' },
    ],
  });
  const enc = new avro.streams.BlockEncoder(type, { codec: 'deflate', blockSize: 200, codecs: { deflate: zlib.deflateRaw } } as never);
  const chunks: Buffer[] = [];
  enc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => enc.on('end', r));
  for (let i = 0; i < records; i++) enc.write({ id: i, s: `record ${i}` });
  enc.end();
  await done;
  fs.writeFileSync(file, Buffer.concat(chunks));
}
