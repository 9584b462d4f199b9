/** Helpers for unit tests of components: contexts, channels and event collection without the runtime. */
import { pino } from 'pino';
import type { AnySpec, BaseContext, SerializerFactory } from '../../src/config/spec.js';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { parseDeclaredParts, serializerFactory, type DeclaredParts } from '../../src/config/parts.js';
import { parseComponent, type PropMap } from '../../src/config/component-props.js';
import { builtinRegistry } from '../../src/components/registry.js';
import { MemoryChannel } from '../../src/components/channels/memory.js';
import type { Channel } from '../../src/core/channel.js';
import type { Event } from '../../src/core/event.js';

export const silentLogger = pino({ level: 'silent' });

export function propMap(raw: Record<string, string>, prefix = 'a1.x.y.'): PropMap {
  const m: PropMap = new Map();
  for (const [key, value] of Object.entries(raw)) {
    const at = { file: 'test.conf', line: 1, col: 1 };
    m.set(key, { key, fullKey: prefix + key, value, keyAt: at, valueAt: at });
  }
  return m;
}

/**
 * Parses raw properties with a spec exactly as the validation passes do (its own properties, then its declared nested
 * parts such as a sink's serializer); returns the config, the parts and every diagnostic.
 */
export function parseWithParts(spec: AnySpec, raw: Record<string, string>, label = `${spec.kind} test`) {
  const props = propMap(raw);
  const r = parseComponent(spec, props, { label });
  const diagnostics: Diagnostic[] = [...r.diagnostics];
  if (!r.ok) return { ok: false, diagnostics, parts: {} as DeclaredParts };
  const owner = { owner: label, keyPrefix: 'a1.x.y.' };
  const p = parseDeclaredParts(builtinRegistry(), diagnostics, spec, r.config!, props, owner);
  return { ok: p.ok, config: r.config!, parts: p.parts, diagnostics };
}

/** Parses raw properties with a spec exactly as the config model does; throws with the diagnostics on failure. */
export function configure<S extends AnySpec>(spec: S, raw: Record<string, string>): Record<string, unknown> {
  return configureWithParts(spec, raw).config;
}

function configureWithParts(spec: AnySpec, raw: Record<string, string>) {
  const r = parseWithParts(spec, raw);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return { config: r.config!, parts: r.parts };
}

/** The serializer part a sink gets, for `sink.serializer = type` and its options (as validation hands it over). */
export function serializerOf(type: string, options: Record<string, string> = {}, name = 'k1'): SerializerFactory {
  const spec = builtinRegistry().resolve('serializer', type);
  if (!spec) throw new Error(`unknown serializer ${type}`);
  const part = { name: 'serializer', spec, config: configure(spec, options), raw: options };
  return serializerFactory(part, baseContext(name));
}

export function baseContext(name: string, raw: Record<string, string> = {}): BaseContext {
  return { name, agent: 'a1', logger: silentLogger, raw, registry: builtinRegistry() };
}

export function memory(name = 'c1', capacity = 10_000, transactionCapacity = 1000): MemoryChannel {
  return new MemoryChannel(name, {
    capacity,
    transactionCapacity,
    keepAliveSeconds: 0,
    byteCapacity: Infinity,
    byteCapacityBufferPercentage: 20,
  });
}

/** Takes everything currently in the channel (committed). */
export async function drain(ch: Channel, max = 1_000_000): Promise<Event[]> {
  const out: Event[] = [];
  for (;;) {
    const tx = ch.begin();
    const got = await tx.take(Math.min(ch.transactionCapacity, max - out.length));
    await tx.commit();
    out.push(...got);
    if (got.length === 0 || out.length >= max) return out;
  }
}

/** Creates a component from its spec and raw Flume properties. */
export function create<S extends AnySpec>(
  spec: S,
  raw: Record<string, string>,
  ctx: Record<string, unknown> = {},
): ReturnType<S['create']> {
  const { config, parts } = configureWithParts(spec, raw);
  const base = { ...baseContext((ctx.name as string) ?? 'x1', raw), ...ctx };
  const serializer = parts.serializer && serializerFactory(parts.serializer, base);
  return spec.create(config as never, { serializer, ...base } as never) as ReturnType<S['create']>;
}
