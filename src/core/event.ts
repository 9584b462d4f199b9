/** A Flume event: string headers and a byte body. Headers are mutable, as interceptors in Flume mutate them. */
export interface Event {
  headers: Record<string, string>;
  body: Buffer;
}

export function createEvent(body: Buffer | Uint8Array | string, headers: Record<string, string> = {}): Event {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return { headers, body: buf };
}

