/** Helpers for unit tests of components: contexts, channels and event collection without the runtime. */
import { pino } from 'pino';
import type { AnySpec, BaseContext } from '../../src/config/spec.js';
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

/** Parses raw properties with a spec exactly as the config model does; throws with the diagnostics on failure. */
export function configure<S extends AnySpec>(spec: S, raw: Record<string, string>): Record<string, unknown> {
  const r = parseComponent(spec, propMap(raw), { label: `${spec.kind} test` });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.config!;
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
  const config = configure(spec, raw);
  return spec.create(config as never, { ...baseContext((ctx.name as string) ?? 'x1', raw), ...ctx } as never) as ReturnType<S['create']>;
}
