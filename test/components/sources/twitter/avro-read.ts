/**
 * Reads Avro object container files (one, or several written back to back as file_roll's text serializer with
 * appendNewline = false leaves them) with Flume's Twitter schema as the reader schema: checks magic, the writer
 * schema in each header, block framing and sync markers.
 */
import avro from 'avsc';
import { TwitterAvroWriter } from '../../../../src/components/sources/twitter/avro-container.js';
import { TWITTER_SCHEMA_JSON, type TwitterDoc } from '../../../../src/components/sources/twitter/schema.js';

const MAGIC = Buffer.from('Obj\x01', 'latin1');
const writer = new TwitterAvroWriter(avro);
const metaType = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const longType = avro.Type.forSchema('long');

export interface Container {
  meta: Record<string, Buffer>;
  sync: Buffer;
  blocks: number;
  docs: TwitterDoc[];
  /** The container's bytes. */
  bytes: Buffer;
}

export function readContainers(buf: Buffer): Container[] {
  const out: Container[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    if (!buf.subarray(pos, pos + 4).equals(MAGIC)) throw new Error(`no Avro magic at byte ${pos}`);
    pos += 4;
    const m = metaType.decode(buf, pos);
    if (m.offset < 0) throw new Error('truncated header');
    const meta = m.value as Record<string, Buffer>;
    pos = m.offset;
    if (meta['avro.schema']?.toString('utf8') !== TWITTER_SCHEMA_JSON) throw new Error("writer schema is not Flume's Twitter schema");
    const sync = buf.subarray(pos, pos + 16);
    pos += 16;
    const docs: TwitterDoc[] = [];
    let blocks = 0;
    while (pos < buf.length && !buf.subarray(pos, pos + 4).equals(MAGIC)) {
      const c = longType.decode(buf, pos);
      const s = longType.decode(buf, c.offset);
      let p = s.offset;
      const end = p + (s.value as number);
      for (let i = 0; i < (c.value as number); i++) {
        const r = writer.recordType.decode(buf, p);
        if (r.offset < 0) throw new Error('truncated record');
        docs.push({ ...(r.value as TwitterDoc) });
        p = r.offset;
      }
      if (p !== end) throw new Error(`block size mismatch at ${pos}`);
      if (!buf.subarray(end, end + 16).equals(sync)) throw new Error(`bad sync marker after block at ${pos}`);
      pos = end + 16;
      blocks++;
    }
    out.push({ meta, sync, blocks, docs, bytes: buf.subarray(start, pos) });
  }
  return out;
}
