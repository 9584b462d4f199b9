import type { AnySpec, ComponentKind, ComponentLookup, Props } from './spec.js';
import { didYouMean } from './diagnostics.js';
import { FlumeError } from '../core/errors.js';

/**
 * A built-in component named before its module is loaded: its kind, Flume type alias, FQCN and a loader for its
 * declaration (src/components/catalog.ts). An agent loads only the modules its configuration names.
 */
export interface LazyComponent {
  readonly kind: ComponentKind;
  readonly type: string;
  readonly fqcn?: string;
  readonly aliases?: readonly string[];
  load(): Promise<AnySpec>;
}

/** One component of a registry: its names always, its declaration once loaded. */
interface Slot {
  readonly kind: ComponentKind;
  readonly type: string;
  readonly fqcn?: string;
  readonly aliases?: readonly string[];
  spec?: AnySpec;
  readonly load?: () => Promise<AnySpec>;
}

const isLazy = (c: AnySpec | LazyComponent): c is LazyComponent => typeof (c as LazyComponent).load === 'function';

/**
 * Resolves a `type` value to a component spec the way Flume does: the alias case-insensitively
 * (`valueOf(type.toUpperCase())`), anything else as a class name (exact). Entries may be declarations or lazy
 * components; a lazy one must be loaded (`loadNamed`) before it is resolved.
 */
export class Registry implements ComponentLookup {
  private readonly byKind = new Map<ComponentKind, Slot[]>();
  private readonly index = new Map<string, Slot>();

  constructor(components: readonly (AnySpec | LazyComponent)[]) {
    for (const c of components) {
      const s: Slot = isLazy(c)
        ? { kind: c.kind, type: c.type, fqcn: c.fqcn, aliases: c.aliases, load: () => c.load() }
        : { kind: c.kind, type: c.type, fqcn: c.fqcn, aliases: c.aliases, spec: c };
      const list = this.byKind.get(s.kind) ?? [];
      list.push(s);
      this.byKind.set(s.kind, list);
      this.add(s.kind, s.type.toLowerCase(), s);
      if (s.fqcn) this.add(s.kind, s.fqcn, s);
      for (const a of s.aliases ?? []) this.add(s.kind, a, s);
    }
  }

  private add(kind: ComponentKind, key: string, slot: Slot): void {
    const k = `${kind}\u0000${key}`;
    const had = this.index.get(k);
    if (had && had !== slot) throw new FlumeError('FLUME_REGISTRY', `duplicate ${kind} type "${key}" in the registry`);
    this.index.set(k, slot);
  }

  private slots(kind?: ComponentKind): Slot[] {
    if (!kind) return [...this.byKind.values()].flat();
    return this.byKind.get(kind) ?? [];
  }

  private slot(kind: ComponentKind, type: string): Slot | undefined {
    const t = type.trim();
    return this.index.get(`${kind}\u0000${t.toLowerCase()}`) ?? this.index.get(`${kind}\u0000${t}`);
  }

  /** The loaded declarations (all of them once `loadAll` ran). */
  specs(kind?: ComponentKind): readonly AnySpec[] {
    return this.slots(kind).flatMap((s) => (s.spec ? [s.spec] : []));
  }

  /** The type aliases of every component of a kind, loaded or not (for "known types" hints). */
  types(kind: ComponentKind): string[] {
    return this.slots(kind).map((s) => s.type);
  }

  /** Whether `type` names a component of this kind, loaded or not. */
  has(kind: ComponentKind, type: string): boolean {
    return this.slot(kind, type) !== undefined;
  }

  resolve(kind: ComponentKind, type: string): AnySpec | undefined {
    const s = this.slot(kind, type);
    if (!s || s.spec) return s?.spec;
    throw new FlumeError('FLUME_REGISTRY', `${kind} type "${type}" was named but its module was not loaded (Registry.loadNamed first)`);
  }

  /** All spellings accepted for a kind (aliases and FQCNs), for did-you-mean. */
  names(kind: ComponentKind): string[] {
    const out: string[] = [];
    for (const s of this.slots(kind)) {
      out.push(s.type);
      if (s.fqcn) out.push(s.fqcn);
      for (const a of s.aliases ?? []) out.push(a);
    }
    return out;
  }

  suggest(kind: ComponentKind, type: string): string | undefined {
    return didYouMean(type, this.types(kind)) ?? didYouMean(type, this.names(kind));
  }

  /**
   * Loads the components that any of `values` names (a configuration's property values: a value that is no type
   * loads nothing), then those their string defaults name (a sink's default serializer), until nothing new is named.
   */
  async loadNamed(values: Iterable<string>): Promise<this> {
    // lower-cased: a case-insensitive alias must match; an FQCN in another case loads a module that resolve() then refuses
    let wanted = new Set<string>();
    for (const v of values) wanted.add(v.trim().toLowerCase());
    while (wanted.size > 0) {
      const hit = (n: string | undefined): boolean => n !== undefined && wanted.has(n.toLowerCase());
      const todo = this.slots().filter((s) => !s.spec && s.load && [s.type, s.fqcn, ...(s.aliases ?? [])].some(hit));
      wanted = new Set();
      for (const s of todo) {
        s.spec = await s.load!();
        for (const p of Object.values(s.spec.properties as Props)) if (typeof p.default === 'string') wanted.add(p.default.toLowerCase());
      }
    }
    return this;
  }

  /** Loads every component (validate's listings, docs, tests). */
  async loadAll(): Promise<this> {
    for (const s of this.slots()) if (!s.spec && s.load) s.spec = await s.load();
    return this;
  }
}
