/**
 * Unsigned LEB128 varints of non-negative safe integers (already zig-zag encoded where the format says so): the
 * length and count fields of Avro's binary encoding and of Kafka's record format. Plain numbers, no BigInt or Long.
 */

/** Bytes the varint of `z` takes. */
export function varintSize(z: number): number {
  let k = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    k++;
  }
  return k;
}

/** Writes the varint of `z` at `pos`; returns the position after it. */
export function putVarint(buf: Buffer, pos: number, z: number): number {
  while (z >= 0x80) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[pos++] = z;
  return pos;
}
