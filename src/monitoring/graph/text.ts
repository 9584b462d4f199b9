/** The flow graph as Graphviz DOT and as Mermaid flowchart text (left to right; dropped parts red and dashed). */
import type { FlowEdge, FlowGraph, FlowNode, NodeKind } from './model.js';

const SHAPE: Record<NodeKind, string> = {
  source: 'box',
  interceptors: 'box',
  selector: 'diamond',
  channel: 'cylinder',
  processor: 'hexagon',
  sink: 'box',
};

const dotStr = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

function nodeLabel(n: FlowNode): string {
  const head = n.kind === 'selector' || n.kind === 'interceptors' ? n.name : `${n.kind === 'processor' ? 'sink group' : n.kind} ${n.name}`;
  return `${head}\n${n.type}${n.dropped ? `\nDROPPED: ${n.dropped}` : ''}`;
}

export function toDot(g: FlowGraph): string {
  const lines = [
    `digraph ${dotStr(g.agent)} {`,
    '  rankdir=LR;',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const n of g.nodes) {
    const style = n.dropped ? ', style="dashed", color="red", fontcolor="red"' : '';
    lines.push(`  ${dotStr(n.id)} [shape=${SHAPE[n.kind]}, label=${dotStr(nodeLabel(n))}${style}];`);
  }
  for (const e of g.edges) {
    const attrs = [e.label ? `label=${dotStr(e.label)}` : '', e.dropped ? 'style="dashed", color="red"' : ''].filter((a) => a);
    lines.push(`  ${dotStr(e.from)} -> ${dotStr(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>');

function mermaidShape(n: FlowNode, ids: Map<string, string>): string {
  const id = ids.get(n.id)!;
  const t = `"${mermaidText(nodeLabel(n))}"`;
  switch (n.kind) {
    case 'channel':
      return `${id}[(${t})]`;
    case 'selector':
      return `${id}{${t}}`;
    case 'processor':
      return `${id}{{${t}}}`;
    default:
      return `${id}[${t}]`;
  }
}

export function toMermaid(g: FlowGraph): string {
  const ids = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const n of g.nodes) lines.push(`  ${mermaidShape(n, ids)}`);
  const dropped: number[] = [];
  g.edges.forEach((e: FlowEdge, i) => {
    const arrow = e.dropped ? '-.->' : '-->';
    const label = e.label ? `|"${mermaidText(e.label)}"|` : '';
    lines.push(`  ${ids.get(e.from)} ${arrow}${label} ${ids.get(e.to)}`);
    if (e.dropped) dropped.push(i);
  });
  lines.push('  classDef dropped stroke:#d00,stroke-dasharray:5 5,color:#d00;');
  const droppedNodes = g.nodes.filter((n) => n.dropped).map((n) => ids.get(n.id));
  if (droppedNodes.length) lines.push(`  class ${droppedNodes.join(',')} dropped;`);
  if (dropped.length) lines.push(`  linkStyle ${dropped.join(',')} stroke:#d00,stroke-dasharray:5 5;`);
  return `${lines.join('\n')}\n`;
}
