// A tiny SVG line-chart writer for the benchmark tables (no dependencies): one chart per scaling dimension, one line
// per agent, x on a log scale when the values span more than a factor of 10.

const W = 560;
const H = 300;
const M = { left: 70, right: 130, top: 34, bottom: 46 };
const COLORS = ['#c0392b', '#2471a3', '#229954', '#7d3c98'];

/** @param {string} s */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** @param {number} v */
function short(v) {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}

/**
 * @param {{ title: string, xLabel: string, yLabel: string, xs: number[], xNames?: string[],
 *           series: Array<{ name: string, ys: number[] }>, logX?: boolean }} c  logX: default when x spans > 10× (and x > 0)
 * @returns {string} the SVG document
 */
export function lineChart(c) {
  const finite = c.series.flatMap((s) => s.ys).filter(Number.isFinite);
  const yMax = finite.length ? Math.max(...finite) * 1.1 : 1;
  const logX = c.logX ?? (c.xs.length > 1 && Math.min(...c.xs) > 0 && Math.max(...c.xs) / Math.min(...c.xs) > 10);
  const fx = (/** @type {number} */ x) => (logX ? Math.log(x) : x);
  const x0 = fx(Math.min(...c.xs));
  const x1 = fx(Math.max(...c.xs));
  const px = (/** @type {number} */ x) => M.left + ((fx(x) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (/** @type {number} */ y) => H - M.bottom - (y / yMax) * (H - M.top - M.bottom);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - M.right / 2 + M.left / 2}" y="18" text-anchor="middle" font-size="13">${esc(c.title)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = (yMax / 4) * i;
    out.push(`<line x1="${M.left - 4}" y1="${py(y)}" x2="${W - M.right}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${py(y) + 4}" text-anchor="end">${short(y)}</text>`);
  }
  c.xs.forEach((x, i) => {
    out.push(`<text x="${px(x)}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(c.xNames?.[i] ?? short(x))}</text>`);
  });
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`);
  c.series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const pts = c.xs.map((x, i) => [px(x), py(s.ys[i])]).filter(([, y]) => Number.isFinite(y));
    if (pts.length > 1)
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => p.join(',')).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${x}" cy="${y}" r="3" fill="${color}"/>`);
    out.push(`<rect x="${W - M.right + 12}" y="${M.top + k * 18}" width="12" height="3" fill="${color}"/>`);
    out.push(`<text x="${W - M.right + 28}" y="${M.top + k * 18 + 5}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
