/**
 * The flow graph as a self-contained SVG: our own small layered layout (left to right, one column per kind, rows
 * ordered by the mean row of each node's predecessors to keep edges short), no fonts, images or scripts from outside.
 * Dropped components are red dashed boxes with the reason in the box and in a tooltip (<title>). With `live`, each
 * source, channel and sink box has an empty `<text class="live" data-metric="CHANNEL.c1">` line that the status
 * page fills with rates and fill levels.
 */
import { LAYER, type FlowEdge, type FlowGraph, type FlowNode, type NodeKind } from './model.js';

export const BOX_W = 190;
export const BOX_H = 62;
const COL_GAP = 80;
const ROW_GAP = 22;
const PAD = 16;

const FILL: Record<NodeKind, string> = {
  source: '#e3f2fd',
  interceptors: '#f3e5f5',
  selector: '#f3e5f5',
  channel: '#fff3e0',
  processor: '#ede7f6',
  sink: '#e8f5e9',
};

export interface Placed {
  node: FlowNode;
  x: number;
  y: number;
}

export interface Layout {
  width: number;
  height: number;
  placed: Map<string, Placed>;
}

/** Columns by kind (empty ones left out), rows by barycentre of predecessors, columns centred vertically. */
export function layout(g: FlowGraph): Layout {
  const layers = [...new Set(g.nodes.map((n) => LAYER[n.kind]))].sort((a, b) => a - b);
  const columns = layers.map((l) => g.nodes.filter((n) => LAYER[n.kind] === l));
  const row = new Map<string, number>();
  for (const col of columns) {
    const key = (n: FlowNode) => {
      const preds = g.edges.filter((e) => e.to === n.id && row.has(e.from)).map((e) => row.get(e.from)!);
      return preds.length ? preds.reduce((a, b) => a + b, 0) / preds.length : Number.POSITIVE_INFINITY;
    };
    const keyed = col.map((n, i) => ({ n, k: key(n), i }));
    keyed.sort((a, b) => (a.k === b.k ? a.i - b.i : a.k - b.k));
    for (const [i, { n }] of keyed.entries()) row.set(n.id, i);
    col.splice(0, col.length, ...keyed.map((x) => x.n));
  }
  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const height = PAD * 2 + tallest * BOX_H + (tallest - 1) * ROW_GAP;
  const placed = new Map<string, Placed>();
  columns.forEach((col, ci) => {
    const colH = col.length * BOX_H + (col.length - 1) * ROW_GAP;
    const top = (height - colH) / 2;
    for (const [ri, node] of col.entries()) placed.set(node.id, { node, x: PAD + ci * (BOX_W + COL_GAP), y: top + ri * (BOX_H + ROW_GAP) });
  });
  const width = PAD * 2 + columns.length * BOX_W + Math.max(0, columns.length - 1) * COL_GAP;
  return { width, height, placed };
}

export const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cut = (s: string, n = 30) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function title(n: FlowNode): string {
  if (n.kind === 'selector' || n.kind === 'interceptors') return n.name;
  return `${n.kind === 'processor' ? 'sink group' : n.kind} ${n.name}`;
}

function nodeSvg(p: Placed, live: boolean): string {
  const { node: n, x, y } = p;
  const cls = `node ${n.kind}${n.dropped ? ' dropped' : ''}`;
  const stroke = n.dropped ? 'stroke="#d00" stroke-dasharray="6 4" stroke-width="2"' : 'stroke="#555" stroke-width="1"';
  const rx = n.kind === 'channel' ? 14 : n.kind === 'selector' ? 2 : 6;
  const tip = `${title(n)} (${n.type})${n.dropped ? ` — Flume drops it: ${n.dropped}` : ''}`;
  const third = n.dropped
    ? `<text x="${x + 8}" y="${y + 52}" fill="#d00" font-size="10" class="reason">${xml(cut(`dropped: ${n.dropped}`, 33))}</text>`
    : live && n.metric
      ? `<text x="${x + 8}" y="${y + 52}" class="live" data-metric="${xml(n.metric)}" fill="#0b5394" font-size="10"></text>`
      : '';
  return (
    `<g class="${cls}" data-id="${xml(n.id)}"${n.metric ? ` data-metric="${xml(n.metric)}"` : ''}>` +
    `<title>${xml(tip)}</title>` +
    `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="${rx}" fill="${n.dropped ? '#fff5f5' : FILL[n.kind]}" ${stroke}/>` +
    `<text x="${x + 8}" y="${y + 18}" font-weight="bold" fill="${n.dropped ? '#d00' : '#222'}">${xml(cut(title(n)))}</text>` +
    `<text x="${x + 8}" y="${y + 35}" fill="#555" font-size="11">${xml(cut(n.type, 31))}</text>${third}</g>`
  );
}

function edgeSvg(e: FlowEdge, l: Layout): string {
  const a = l.placed.get(e.from);
  const b = l.placed.get(e.to);
  if (!a || !b) return '';
  const x1 = a.x + BOX_W;
  const y1 = a.y + BOX_H / 2;
  const x2 = b.x - 2;
  const y2 = b.y + BOX_H / 2;
  const mx = (x1 + x2) / 2;
  const style = e.dropped
    ? 'stroke="#d00" stroke-dasharray="6 4" marker-end="url(#arrow-dropped)"'
    : 'stroke="#555" marker-end="url(#arrow)"';
  const label = e.label
    ? `<text x="${mx}" y="${(y1 + y2) / 2 - 4}" text-anchor="middle" font-size="10" fill="#333">${xml(cut(e.label, 24))}</text>`
    : '';
  return (
    `<g class="edge${e.dropped ? ' dropped' : ''}" data-from="${xml(e.from)}" data-to="${xml(e.to)}">` +
    `<path d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}" fill="none" stroke-width="1.5" ${style}/>${label}</g>`
  );
}

const MARKERS =
  '<defs>' +
  '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">' +
  '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>' +
  '<marker id="arrow-dropped" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">' +
  '<path d="M0,0 L10,5 L0,10 z" fill="#d00"/></marker></defs>';

export function toSvg(g: FlowGraph, opts: { live?: boolean } = {}): string {
  const l = layout(g);
  const w = Math.max(l.width, 200);
  const h = l.height + 18;
  const caption = `<text x="${PAD}" y="${h - 6}" font-size="10" fill="#777">agent ${xml(g.agent)} — flume-ts graph</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="12" class="flow" data-agent="${xml(g.agent)}">` +
    `<rect width="${w}" height="${h}" fill="#fff"/>${MARKERS}` +
    `<g class="edges">${g.edges.map((e) => edgeSvg(e, l)).join('')}</g>` +
    `<g class="nodes">${[...l.placed.values()].map((p) => nodeSvg(p, opts.live === true)).join('')}</g>${caption}</svg>\n`
  );
}
