/**
 * Java's `HashMap.toString()` for header maps, in Java's iteration order.
 *
 * Flume events keep their headers in a `java.util.HashMap`, so `event.getHeaders().toString()` (used by LoggerSink's
 * EventHelper and the header_and_text serializer) lists entries in bucket order, not insertion order. This reproduces
 * that order: `String.hashCode()`, HashMap's hash spreading (`h ^ (h >>> 16)`), a table of 16 buckets doubled while
 * size > 0.75 × capacity, and insertion order within a bucket. (Java turns a bucket into a tree only with ≥ 8 colliding
 * keys in a table of ≥ 64 buckets, which header maps never reach in practice.)
 *
 * The starting capacity is not always 16: `EventBuilder.withBody(body, headers)` copies the headers into
 * `new HashMap<>(headers)`, pre-sized to the next power of two ≥ size / 0.75 + 1, so the same keys iterate in a
 * different order than in a map filled one by one. A source that builds events that way records the copy's capacity
 * on the header object with `setJavaMapCapacity` (a non-enumerable property) and inserts the keys in the order Java
 * copied them (the source map's iteration order); headers put afterwards grow the table as Java does.
 */

/** Java's String.hashCode (over UTF-16 code units, int32 overflow). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** HashMap's table size for `n` entries inserted one by one into a map whose table starts at `initial` (16 by default). */
export function javaHashMapCapacity(n: number, initial = 16): number {
  let cap = initial;
  while (n > cap * 0.75) cap *= 2;
  return cap;
}

const CAPACITY = Symbol.for('flume-ts.javaHashMapCapacity');

/** Java's tableSizeFor(size / 0.75f + 1): the table of `new HashMap<>(m)` for a map `m` of `size` entries (16 when empty). */
export function javaCopyCapacity(size: number): number {
  if (size === 0) return 16;
  const t = Math.floor(Math.fround(Math.fround(size / 0.75) + 1));
  let cap = 1;
  while (cap < t) cap *= 2;
  return cap;
}

/**
 * Records that `headers` stands for a Java HashMap whose table started at `capacity` buckets (see the file comment).
 * A symbol key: Object.keys/entries and JSON ignore it.
 */
export function setJavaMapCapacity<T extends Record<string, string>>(headers: T, capacity: number): T {
  (headers as { [CAPACITY]?: number })[CAPACITY] = capacity;
  return headers;
}

/** The starting table size recorded on `headers`, or 16 (a map filled one by one). */
export function javaMapInitialCapacity(headers: Record<string, string>): number {
  return (headers as { [CAPACITY]?: number })[CAPACITY] ?? 16;
}

/** `keys` in the order a Java HashMap with a table of `capacity` buckets iterates them when inserted in this order. */
export function javaBucketOrder(keys: readonly string[], capacity: number): string[] {
  const mask = capacity - 1;
  const decorated = keys.map((k, i) => {
    const h = javaStringHash(k);
    return { k, i, b: (h ^ (h >>> 16)) & mask };
  });
  decorated.sort((a, b) => a.b - b.b || a.i - b.i);
  return decorated.map((d) => d.k);
}

const orderCache = new Map<string, string[]>();

/** The keys of `headers` in the order a Java HashMap holding them iterates (cached per key list: events of one flow share it). */
export function javaHashMapKeys(headers: Record<string, string>): string[] {
  const keys = Object.keys(headers);
  if (keys.length < 2) return keys;
  const initial = javaMapInitialCapacity(headers);
  const sig = initial === 16 ? keys.join('\u0000') : `${initial}\u0001${keys.join('\u0000')}`;
  const hit = orderCache.get(sig);
  if (hit) return hit;
  const order = javaBucketOrder(keys, javaHashMapCapacity(keys.length, initial));
  if (orderCache.size >= 4096) orderCache.clear();
  orderCache.set(sig, order);
  return order;
}

/** `{k1=v1, k2=v2}` exactly as Java's AbstractMap.toString() prints a HashMap<String,String>. */
export function javaMapToString(headers: Record<string, string>): string {
  const keys = javaHashMapKeys(headers);
  if (keys.length === 0) return '{}';
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) s += ', ';
    s += `${keys[i]}=${headers[keys[i]!]}`;
  }
  return s + '}';
}
