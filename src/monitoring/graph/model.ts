/**
 * The agent's flow as a graph, for `flume-ts graph`, `/graph.svg` and the status page: sources → interceptors →
 * selectors → channels → sink groups (processors) → sinks, each node in a layer (left to right). Components Flume
 * would drop (the validator's `plan.dropped`) are nodes too, marked with the reason and the diagnostic code, and their
 * configured connections are drawn as dropped edges.
 */
import type { AgentPlan } from '../../config/plan.js';
import type { Diagnostic } from '../../config/diagnostics.js';

export type NodeKind = 'source' | 'interceptors' | 'selector' | 'channel' | 'processor' | 'sink';

/** Left-to-right layer of each kind. */
export const LAYER: Record<NodeKind, number> = { source: 0, interceptors: 1, selector: 2, channel: 3, processor: 4, sink: 5 };

export interface FlowNode {
  id: string;
  kind: NodeKind;
  name: string;
  /** The configured type (alias or class name as written), or the chain of interceptor names. */
  type: string;
  /** The /metrics key of the node's counters (`SOURCE.r1`), for live views. */
  metric?: string;
  /** Why Flume would drop it (`missing-property: …`); undefined when it runs. */
  dropped?: string;
}

export interface FlowEdge {
  from: string;
  to: string;
  /** A connection that is configured but does not run (one end dropped, or not active). */
  dropped?: boolean;
  /** Multiplexing selector routes: header values, `default`, `optional`. */
  label?: string;
}

export interface FlowGraph {
  agent: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** The raw (substituted) value of `<agent>.<section>.<name>.<key>`, for components the plan does not hold. */
export type RawLookup = (section: string, name: string, key: string) => string | undefined;

const SECTION_OF: Record<string, string> = { source: 'sources', channel: 'channels', sink: 'sinks', 'sink group': 'sinkgroups' };
const KIND_OF: Record<string, NodeKind> = { source: 'source', channel: 'channel', sink: 'sink', 'sink group': 'processor' };

export const nodeId = (kind: NodeKind, name: string) => `${kind}:${name}`;
const words = (v: string | undefined) => (v ?? '').split(/\s+/).filter((w) => w);

/** The first error diagnostic about the dropped component: its code explains the drop. */
function dropDiagnostic(agent: string, kind: string, name: string, diagnostics: readonly Diagnostic[]): Diagnostic | undefined {
  const prefix = `${agent}.${SECTION_OF[kind] ?? ''}.${name}.`;
  const label = `${kind} ${name}`;
  return (
    diagnostics.find((d) => d.severity !== 'info' && /drops|removes/.test(d.flume ?? '') && d.message.startsWith(label)) ??
    diagnostics.find((d) => d.severity === 'error' && (d.key?.startsWith(prefix) || d.message.includes(label)))
  );
}

/** Multiplexing routes per channel: `mapping.<value>`, `default`, `optional.<value>` of the selector's raw config. */
function routeLabels(selectorRaw: Record<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (ch: string, what: string) => out.set(ch, [...(out.get(ch) ?? []), what]);
  for (const [k, v] of Object.entries(selectorRaw)) {
    if (k.startsWith('mapping.')) for (const c of words(v)) add(c, k.slice(8));
    else if (k === 'default') for (const c of words(v)) add(c, 'default');
    else if (k.startsWith('optional')) for (const c of words(v)) add(c, `optional${k.slice(8) ? ` ${k.slice(9)}` : ''}`);
  }
  return out;
}

class Builder {
  readonly nodes = new Map<string, FlowNode>();
  readonly edges: FlowEdge[] = [];

  node(n: FlowNode): string {
    if (!this.nodes.has(n.id)) this.nodes.set(n.id, n);
    return n.id;
  }

  edge(e: FlowEdge): void {
    if (!this.edges.some((x) => x.from === e.from && x.to === e.to)) this.edges.push(e);
  }

  /** A channel named by a connection: the running node, the dropped node, or a node for a channel not defined. */
  channelRef(name: string): FlowNode {
    const id = nodeId('channel', name);
    return (
      this.nodes.get(id) ??
      (this.nodes.set(id, { id, kind: 'channel', name, type: '?', dropped: 'unknown-channel: not an active channel' }).get(id) as FlowNode)
    );
  }
}

function addSources(b: Builder, plan: AgentPlan, raw: RawLookup): void {
  for (const s of plan.sources) {
    const src = b.node({
      id: nodeId('source', s.name),
      kind: 'source',
      name: s.name,
      type: raw('sources', s.name, 'type') ?? s.spec.type,
      metric: `SOURCE.${s.name}`,
    });
    let prev = src;
    if (s.interceptors.length) {
      const types = s.interceptors.map((i) => i.name).join(' → ');
      prev = b.node({ id: nodeId('interceptors', s.name), kind: 'interceptors', name: `${s.name} interceptors`, type: types });
      b.edge({ from: src, to: prev });
    }
    const selType = raw('sources', s.name, 'selector.type') ?? s.selector.spec.type;
    const sel = b.node({ id: nodeId('selector', s.name), kind: 'selector', name: `${s.name} selector`, type: selType });
    b.edge({ from: prev, to: sel });
    const routes = routeLabels(s.selector.raw);
    for (const c of words(raw('sources', s.name, 'channels'))) {
      const running = s.channels.includes(c);
      const label = routes.get(c)?.join(', ');
      b.edge({ from: sel, to: b.channelRef(c).id, ...(running ? {} : { dropped: true }), ...(label ? { label } : {}) });
    }
  }
}

function addSinks(b: Builder, plan: AgentPlan): void {
  const grouped = new Map<string, string>();
  for (const g of plan.sinkgroups) {
    const id = b.node({ id: nodeId('processor', g.name), kind: 'processor', name: g.name, type: g.processor.spec.type });
    for (const s of g.sinks) grouped.set(s, id);
  }
  for (const s of plan.sinks) {
    const id = b.node({
      id: nodeId('sink', s.name),
      kind: 'sink',
      name: s.name,
      type: s.raw.type ?? s.spec.type,
      metric: `SINK.${s.name}`,
    });
    const ch = b.channelRef(s.channel).id;
    const group = grouped.get(s.name);
    if (group) {
      b.edge({ from: ch, to: group });
      b.edge({ from: group, to: id });
    } else b.edge({ from: ch, to: id });
  }
}

/** Dropped components as marked nodes, with the connections their raw configuration names. */
function addDropped(b: Builder, plan: AgentPlan, raw: RawLookup, diagnostics: readonly Diagnostic[]): void {
  for (const d of plan.dropped) {
    const kind = KIND_OF[d.kind];
    if (!kind) continue;
    const section = SECTION_OF[d.kind]!;
    const diag = dropDiagnostic(plan.name, d.kind, d.name, diagnostics);
    const why = diag ? `${diag.code}: ${diag.message.replace(`${d.kind} ${d.name}: `, '')}` : d.reason;
    const type = (kind === 'processor' ? raw(section, d.name, 'processor.type') : raw(section, d.name, 'type')) ?? '?';
    const id = nodeId(kind, d.name);
    const existing = b.nodes.get(id);
    if (existing) existing.dropped = why;
    else b.node({ id, kind, name: d.name, type, dropped: why });
  }
  for (const d of plan.dropped) {
    const kind = KIND_OF[d.kind];
    const section = SECTION_OF[d.kind];
    const id = nodeId(kind ?? 'source', d.name);
    if (kind === 'source')
      for (const c of words(raw(section!, d.name, 'channels'))) b.edge({ from: id, to: b.channelRef(c).id, dropped: true });
    if (kind === 'sink') {
      const c = raw(section!, d.name, 'channel');
      if (c) b.edge({ from: b.channelRef(c).id, to: id, dropped: true });
    }
  }
  // sinks a dropped group names, and sinks left out of a running group
  for (const d of plan.dropped.filter((x) => x.kind === 'sink group')) {
    for (const s of words(raw('sinkgroups', d.name, 'sinks'))) {
      const sid = nodeId('sink', s);
      if (b.nodes.has(sid)) b.edge({ from: nodeId('processor', d.name), to: sid, dropped: true });
    }
  }
}

/** The flow graph of a validated plan; `raw` reads what dropped components were configured with. */
export function buildFlowGraph(plan: AgentPlan, raw: RawLookup, diagnostics: readonly Diagnostic[] = []): FlowGraph {
  const b = new Builder();
  for (const c of plan.channels) {
    b.node({ id: nodeId('channel', c.name), kind: 'channel', name: c.name, type: c.raw.type ?? c.spec.type, metric: `CHANNEL.${c.name}` });
  }
  addSources(b, plan, raw);
  addSinks(b, plan);
  addDropped(b, plan, raw, diagnostics);
  for (const g of plan.sinkgroups) {
    for (const s of words(raw('sinkgroups', g.name, 'sinks'))) {
      if (!g.sinks.includes(s) && b.nodes.has(nodeId('sink', s)))
        b.edge({ from: nodeId('processor', g.name), to: nodeId('sink', s), dropped: true });
    }
  }
  const nodes = [...b.nodes.values()].sort((x, y) => LAYER[x.kind] - LAYER[y.kind]);
  return { agent: plan.name, nodes, edges: b.edges };
}
