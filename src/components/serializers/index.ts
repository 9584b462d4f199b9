/**
 * Looking up and configuring an event serializer from a sink's sub-properties, as Flume's EventSerializerFactory does:
 * `<typeKey>` names the serializer (alias case-insensitively, or a Builder FQCN) and `<typeKey>.*` are its options
 * (file_roll: `sink.serializer` + `sink.serializer.*`; hdfs: `serializer` + `serializer.*`).
 */
import { subProperties, type AnySpec, type BaseContext, type ComponentLookup, type SpecProblem } from '../../config/spec.js';
import { parseComponent, type PropMap } from '../../config/component-props.js';
import { didYouMean } from '../../config/diagnostics.js';
import type { EventSerializer } from '../../core/serializer.js';
import { ConfigError } from '../../core/errors.js';
import { textSerializer } from './text.js';
import { headerAndTextSerializer } from './header_and_text.js';
import { avroEventSerializer } from './avro_event.js';
import { hdfsAvroEventSerializer } from '../sinks/hdfs/avro-serializer.js';

export const builtinSerializers: readonly AnySpec[] = [
  textSerializer,
  headerAndTextSerializer,
  avroEventSerializer,
  hdfsAvroEventSerializer,
];

/** Finds a serializer spec: the registry first (it may hold more), then the built-ins. */
export function resolveSerializer(type: string, registry?: ComponentLookup): AnySpec | undefined {
  const hit = registry?.resolve('serializer', type);
  if (hit) return hit;
  const t = type.trim();
  return builtinSerializers.find((s) => s.type.toLowerCase() === t.toLowerCase() || s.fqcn === t || s.aliases?.includes(t));
}

/** `sink.serializer.appendNewline` → `appendNewline` (Flume's Context.getSubProperties). */
export function serializerSubProps(raw: Readonly<Record<string, string>>, typeKey: string): Record<string, string> {
  return subProperties(raw, `${typeKey}.`);
}

function propMapOf(sub: Record<string, string>, typeKey: string): PropMap {
  const m: PropMap = new Map();
  const at = { file: '<config>', line: 0, col: 0 };
  for (const [key, value] of Object.entries(sub)) m.set(key, { key, fullKey: `${typeKey}.${key}`, value, keyAt: at, valueAt: at });
  return m;
}

interface Parsed {
  spec?: AnySpec;
  config?: Record<string, unknown>;
  sub: Record<string, string>;
  problems: SpecProblem[];
}

function parse(type: string, typeKey: string, raw: Readonly<Record<string, string>>, registry?: ComponentLookup): Parsed {
  const sub = serializerSubProps(raw, typeKey);
  const spec = resolveSerializer(type, registry);
  if (!spec) {
    const names = builtinSerializers.map((s) => s.type);
    const guess = didYouMean(type, names);
    return {
      sub,
      problems: [
        {
          prop: typeKey,
          message: `${typeKey}: unknown serializer "${type}"`,
          hint: guess ? `did you mean "${guess}"?` : `use one of ${names.join(', ')} or a serializer Builder class name`,
        },
      ],
    };
  }
  const r = parseComponent(spec, propMapOf(sub, typeKey), { label: `${typeKey} ${spec.type}`, keyPrefix: `${typeKey}.` });
  // each problem is reported on the sink property it is about (`sink.serializer.appendNewline`), with its real location
  const problems: SpecProblem[] = r.diagnostics
    .filter((d) => d.severity !== 'info')
    .map((d) => ({
      prop: d.key !== undefined && raw[d.key] !== undefined ? d.key : typeKey,
      message: d.message,
      hint: d.hint,
      severity: d.severity === 'error' ? 'error' : 'warning',
    }));
  return { spec, config: r.config, sub, problems };
}

/** For a sink spec's check(): problems with the serializer type or its options (reported on `typeKey`). */
export function checkSerializer(type: string, typeKey: string, raw: Readonly<Record<string, string>>): SpecProblem[] {
  return parse(type, typeKey, raw).problems;
}

/** A configured serializer: `create()` gives a fresh instance per output file. */
export interface SerializerFactory {
  readonly spec: AnySpec;
  create(): EventSerializer;
}

/** Resolves and configures a serializer for a sink; throws ConfigError when the type or an option is invalid. */
export function configureSerializer(type: string, typeKey: string, ctx: BaseContext): SerializerFactory {
  const p = parse(type, typeKey, ctx.raw, ctx.registry);
  const errors = p.problems.filter((x) => x.severity !== 'warning');
  if (!p.spec || !p.config || errors.length > 0) {
    const found = errors.map((e) => ({ severity: 'error' as const, code: 'invalid-combination', message: e.message, hint: e.hint }));
    throw new ConfigError(`${ctx.name}: ${errors.map((e) => e.message).join('; ') || `cannot configure serializer ${type}`}`, found);
  }
  const spec = p.spec;
  const config = p.config;
  const sctx: BaseContext = { name: `${ctx.name}.serializer`, agent: ctx.agent, logger: ctx.logger, raw: p.sub, registry: ctx.registry };
  return { spec, create: () => spec.create(config as never, sctx as never) as EventSerializer };
}
