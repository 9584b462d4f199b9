import type { AnySpec, ComponentKind, ComponentLookup } from './spec.js';
import { didYouMean } from './diagnostics.js';
import { FlumeError } from '../core/errors.js';

/**
 * Resolves a `type` value to a component spec the way Flume does: the alias case-insensitively
 * (`valueOf(type.toUpperCase())`), anything else as a class name (exact).
 */
export class Registry implements ComponentLookup {
  private readonly byKind = new Map<ComponentKind, AnySpec[]>();
  private readonly index = new Map<string, AnySpec>();

  constructor(specs: readonly AnySpec[]) {
    for (const s of specs) {
      const list = this.byKind.get(s.kind) ?? [];
      list.push(s);
      this.byKind.set(s.kind, list);
      this.add(s.kind, s.type.toLowerCase(), s);
      if (s.fqcn) this.add(s.kind, s.fqcn, s);
      for (const a of s.aliases ?? []) this.add(s.kind, a, s);
    }
  }

  private add(kind: ComponentKind, key: string, spec: AnySpec): void {
    const k = `${kind}\u0000${key}`;
    if (this.index.has(k)) throw new FlumeError('FLUME_REGISTRY', `duplicate ${kind} type "${key}" in the registry`);
    this.index.set(k, spec);
  }

  specs(kind?: ComponentKind): readonly AnySpec[] {
    if (!kind) return [...this.byKind.values()].flat();
    return this.byKind.get(kind) ?? [];
  }

  resolve(kind: ComponentKind, type: string): AnySpec | undefined {
    const t = type.trim();
    return this.index.get(`${kind}\u0000${t.toLowerCase()}`) ?? this.index.get(`${kind}\u0000${t}`);
  }

  /** All spellings accepted for a kind (aliases and FQCNs), for did-you-mean. */
  names(kind: ComponentKind): string[] {
    const out: string[] = [];
    for (const s of this.specs(kind)) {
      out.push(s.type);
      if (s.fqcn) out.push(s.fqcn);
      for (const a of s.aliases ?? []) out.push(a);
    }
    return out;
  }

  suggest(kind: ComponentKind, type: string): string | undefined {
    const aliases = this.specs(kind).map((s) => s.type);
    return didYouMean(type, aliases) ?? didYouMean(type, this.names(kind));
  }
}
