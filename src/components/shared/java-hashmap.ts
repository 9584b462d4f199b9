/**
 * Java's `HashMap.toString()` for header maps, in Java's iteration order.
 *
 * Flume events keep their headers in a `java.util.HashMap`, so `event.getHeaders().toString()` (used by LoggerSink's
 * EventHelper and the header_and_text serializer) lists entries in bucket order, not insertion order. This reproduces
 * that order: `String.hashCode()`, HashMap's hash spreading (`h ^ (h >>> 16)`), a table of 16 buckets doubled while
 * size > 0.75 × capacity, and insertion order within a bucket. (Java turns a bucket into a tree only with ≥ 8 colliding
 * keys in a table of ≥ 64 buckets, which header maps never reach in practice.)
 */

/** Java's String.hashCode (over UTF-16 code units, int32 overflow). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** HashMap's table size for `n` entries inserted one by one into a `new HashMap<>()`. */
export function javaHashMapCapacity(n: number): number {
  let cap = 16;
  while (n > cap * 0.75) cap *= 2;
  return cap;
}

const orderCache = new Map<string, string[]>();

/** The keys of `headers` in the order a Java HashMap holding them iterates (cached per key list: events of one flow share it). */
export function javaHashMapKeys(headers: Record<string, string>): string[] {
  const keys = Object.keys(headers);
  if (keys.length < 2) return keys;
  const sig = keys.join('\u0000');
  const hit = orderCache.get(sig);
  if (hit) return hit;
  const mask = javaHashMapCapacity(keys.length) - 1;
  const decorated = keys.map((k, i) => {
    const h = javaStringHash(k);
    return { k, i, b: (h ^ (h >>> 16)) & mask };
  });
  decorated.sort((a, b) => a.b - b.b || a.i - b.i);
  const order = decorated.map((d) => d.k);
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
