/**
 * The one declaration of a component: its Flume type alias and FQCN, its properties with Flume's exact names, types,
 * defaults, checks and docs, and its factory. Parsing, validation, `flume-ts validate` and docs/components.md all read it.
 */
import type { Diagnostic } from './diagnostics.js';
import type { Channel } from '../core/channel.js';
import type { Sink } from '../core/sink.js';
import type { Source, ChannelProcessor } from '../core/source.js';
import type { Interceptor } from '../core/interceptor.js';
import type { ChannelSelector } from '../core/selector.js';
import type { SinkProcessor } from '../core/sink-processor.js';
import type { EventSerializer } from '../core/serializer.js';
import type { Logger } from '../core/logging.js';

export type ComponentKind = 'source' | 'channel' | 'sink' | 'interceptor' | 'selector' | 'sinkprocessor' | 'serializer';

export type PropType = 'string' | 'int' | 'long' | 'number' | 'boolean' | 'list' | 'enum';

export interface PropSpec<T = unknown, Present extends boolean = boolean> {
  readonly type: PropType;
  readonly doc: string;
  readonly default?: T;
  /** Human text for a computed default ("80% of the heap"). */
  readonly defaultDoc?: string;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** For enums: the accepted values (matched case-insensitively; the canonical spelling is returned). */
  readonly values?: readonly string[];
  /** Extra check: returns an error message, or undefined when the value is fine. */
  readonly check?: (value: T) => string | undefined;
  /** Never print the value (passwords, tokens). */
  readonly secret?: boolean;
  /** Other accepted spellings of the key (older Flume names). */
  readonly aliases?: readonly string[];
  /** Phantom marker: whether the value is always present after parsing. */
  readonly __present?: Present;
}

type Common<T> = { doc: string; check?: (v: T) => string | undefined; secret?: boolean; aliases?: readonly string[]; defaultDoc?: string };
type Ranged = { min?: number; max?: number };

function builder<T>(type: PropType) {
  function make(o: Common<T> & Ranged & { default: T }): PropSpec<T, true>;
  function make(o: Common<T> & Ranged & { required: true }): PropSpec<T, true>;
  function make(o: Common<T> & Ranged): PropSpec<T, false>;
  function make(o: Common<T> & Ranged & { default?: T; required?: boolean }): PropSpec<T, boolean> {
    return { type, ...o };
  }
  return make;
}

function enumBuilder() {
  function make<const V extends string>(values: readonly V[], o: Common<NoInfer<V>> & { default: NoInfer<V> }): PropSpec<V, true>;
  function make<const V extends string>(values: readonly V[], o: Common<NoInfer<V>> & { required: true }): PropSpec<V, true>;
  function make<const V extends string>(values: readonly V[], o: Common<NoInfer<V>>): PropSpec<V, false>;
  function make<V extends string>(values: readonly V[], o: Common<V> & { default?: V; required?: boolean }): PropSpec<V, boolean> {
    return { type: 'enum', values, ...o };
  }
  return make;
}

/** Property builders. `int`/`long` parse like Java's parseInt/parseLong (strict); `boolean` like Boolean.parseBoolean. */
export const prop = {
  string: builder<string>('string'),
  int: builder<number>('int'),
  long: builder<number>('long'),
  number: builder<number>('number'),
  boolean: builder<boolean>('boolean'),
  /** Whitespace-separated list (Flume's `split("\\s+")`). */
  list: builder<string[]>('list'),
  enum: enumBuilder(),
};

export type Props = Record<string, PropSpec<any, boolean>>;

export type ConfigOf<P extends Props> = {
  -readonly [K in keyof P]: P[K] extends PropSpec<infer T, infer Present> ? (Present extends true ? T : T | undefined) : never;
};

/**
 * Looking up other declared components (the agent's registry, config/registry.ts), e.g. a sink's serializer.
 * Declared here so that spec.ts and registry.ts do not import each other.
 */
export interface ComponentLookup {
  /** The loaded declarations. */
  specs(kind?: ComponentKind): readonly AnySpec[];
  /** The type aliases of every component of a kind, loaded or not. */
  types(kind: ComponentKind): string[];
  resolve(kind: ComponentKind, type: string): AnySpec | undefined;
  suggest(kind: ComponentKind, type: string): string | undefined;
}

/** What every factory gets. */
export interface BaseContext {
  /** Component name (`r1`, `c1`, `k1`, interceptor `i1`, ...). */
  readonly name: string;
  readonly agent: string;
  readonly logger: Logger;
  /** Every raw property of this component, keys relative to it (`kafka.producer.acks`), after substitution. */
  readonly raw: Readonly<Record<string, string>>;
  readonly registry: ComponentLookup;
}

export interface SourceContext extends BaseContext {
  readonly processor: ChannelProcessor;
}
export interface SinkContext extends BaseContext {
  readonly channel: Channel;
  /** The sink's serializer part, parsed by validation, when its spec declares one (`serializer` below). */
  readonly serializer?: SerializerFactory;
}

/** A configured serializer part: `create()` gives a fresh serializer per output file. */
export interface SerializerFactory {
  readonly spec: AnySpec;
  create(): EventSerializer;
}
export interface SelectorContext extends BaseContext {
  /** The source's channels, in the order of its `channels` list. */
  readonly channels: readonly Channel[];
}
export interface SinkProcessorContext extends BaseContext {
  readonly sinks: readonly Sink[];
}

export interface KindTypes {
  source: { ctx: SourceContext; instance: Source };
  channel: { ctx: BaseContext; instance: Channel };
  sink: { ctx: SinkContext; instance: Sink };
  interceptor: { ctx: BaseContext; instance: Interceptor };
  selector: { ctx: SelectorContext; instance: ChannelSelector };
  sinkprocessor: { ctx: SinkProcessorContext; instance: SinkProcessor };
  /** A serializer spec's create() is called once per output file. */
  serializer: { ctx: BaseContext; instance: EventSerializer };
}

/** A problem found by a spec's cross-property check. */
export interface SpecProblem {
  /** The property the problem is about (its location is used), or undefined for the component. */
  prop?: string;
  message: string;
  severity?: 'error' | 'warning';
  hint?: string;
  /**
   * A flume-ts limit: Flume 1.11 accepts this configuration (it does not refuse it when it configures the component),
   * flume-ts cannot run it. validate words it as such instead of "Flume drops".
   */
  limit?: boolean;
}

export interface ComponentSpec<K extends ComponentKind = ComponentKind, P extends Props = Props> {
  readonly kind: K;
  /** Flume's type alias, matched case-insensitively (`netcat`, `file_roll`). */
  readonly type: string;
  /** Flume's class name, accepted as `type` too (`org.apache.flume.source.NetcatSource`). */
  readonly fqcn?: string;
  /** Further accepted `type` values (other FQCNs, e.g. `...$Builder`). */
  readonly aliases?: readonly string[];
  /** One line for the reference docs. */
  readonly summary: string;
  /** Optional longer notes (differences from Flume, what is not supported); also the row's notes in docs/compatibility.md. */
  readonly notes?: string;
  /** How far it matches Flume, for docs/compatibility.md (generated from the declarations): default `yes`. */
  readonly compatibility?: 'yes' | 'partial' | 'differs';
  readonly properties: P;
  /** Sub-property families accepted without an unknown-property warning: prefix → doc (`kafka.producer.`). */
  readonly prefixes?: Readonly<Record<string, string>>;
  /**
   * A nested serializer (a sink's `sink.serializer` / `serializer`): `prop` is the property that names its type (alias,
   * case-insensitively, or a Builder class name), its options are `<prop>.*`. Validation parses it like every nested
   * part, with real locations, and create() gets it as ctx.serializer; `when` says whether it is used (hdfs: not for
   * SequenceFile).
   */
  readonly serializer?: { readonly prop: string; when?(config: ConfigOf<P>): boolean };
  /** Cross-property checks, after each property parsed. */
  check?(config: ConfigOf<P>, raw: Readonly<Record<string, string>>): SpecProblem[];
  /** Batch size for Flume's batchSize ≤ transactionCapacity rule (sources and sinks). */
  batchSize?(config: ConfigOf<P>): number | undefined;
  /** Transaction capacity (channels). */
  transactionCapacity?(config: ConfigOf<P>): number | undefined;
  create(config: ConfigOf<P>, ctx: KindTypes[K]['ctx']): KindTypes[K]['instance'];
}

export type AnySpec = ComponentSpec<ComponentKind, any>;

/**
 * Flume's Context.getSubProperties, the one implementation: the entries whose key is under `prefix` (and longer than
 * it), with the prefix removed. subProperties (raw values) and component-props' subProps (located values) use it.
 */
export function subEntries<V>(entries: Iterable<readonly [string, V]>, prefix: string): Array<[string, V]> {
  const out: Array<[string, V]> = [];
  for (const [k, v] of entries) if (k.startsWith(prefix) && k.length > prefix.length) out.push([k.slice(prefix.length), v]);
  return out;
}

/** The raw properties under `prefix` (`kafka.producer.`), prefix removed; `trim` trims each value (Kafka's client properties). */
export function subProperties(raw: Readonly<Record<string, string>>, prefix: string, o: { trim?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of subEntries(Object.entries(raw), prefix)) out[k] = o.trim ? v.trim() : v;
  return out;
}

export function defineComponent<K extends ComponentKind, P extends Props>(spec: ComponentSpec<K, P>): ComponentSpec<K, P> {
  return spec;
}

/** Java's Integer.parseInt / Long.parseLong: optional sign, ASCII digits only, nothing else (after Flume's trim). */
const JAVA_INT = /^[+-]?\d+$/;

export interface ParsedValue {
  ok: boolean;
  value?: unknown;
  message?: string;
  severity?: 'error' | 'warning';
}

/** Parses one raw (already trimmed) value according to its PropSpec, with Flume's rules. */
export function parseValue(spec: PropSpec, raw: string): ParsedValue {
  let value: unknown;
  switch (spec.type) {
    case 'string':
      value = raw;
      break;
    case 'int':
    case 'long': {
      if (!JAVA_INT.test(raw)) return { ok: false, message: `expected an integer, got "${raw}"` };
      const n = Number(raw);
      const lim = spec.type === 'int' ? 2 ** 31 : 2 ** 63;
      if (n >= lim || n < -lim) return { ok: false, message: `${raw} is out of range for a Java ${spec.type}` };
      value = n;
      break;
    }
    case 'number': {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) return { ok: false, message: `expected a number, got "${raw}"` };
      value = n;
      break;
    }
    case 'boolean': {
      const lower = raw.toLowerCase();
      value = lower === 'true';
      if (lower !== 'true' && lower !== 'false') {
        return { ok: true, value, severity: 'warning', message: `"${raw}" is not true or false; Flume reads it as false` };
      }
      break;
    }
    case 'list':
      value = raw.split(/\s+/).filter((s) => s.length > 0);
      break;
    case 'enum': {
      const hit = spec.values?.find((v) => v.toLowerCase() === raw.toLowerCase());
      if (hit === undefined) return { ok: false, message: `"${raw}" is not one of ${spec.values?.join(', ')}` };
      value = hit;
      break;
    }
  }
  if (typeof value === 'number') {
    if (spec.min !== undefined && value < spec.min) return { ok: false, message: `must be ≥ ${spec.min}, got ${raw}` };
    if (spec.max !== undefined && value > spec.max) return { ok: false, message: `must be ≤ ${spec.max}, got ${raw}` };
  }
  const err = spec.check?.(value as never);
  if (err) return { ok: false, message: err };
  return { ok: true, value };
}

export type { Diagnostic };
