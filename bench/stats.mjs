// Small statistics for the benchmark report: median/min/max and an exact two-sided Mann–Whitney U test.

/** @param {number[]} xs */
export function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** @param {number[]} xs */
export function summary(xs) {
  const f = xs.filter(Number.isFinite);
  return { median: median(f), min: f.length ? Math.min(...f) : NaN, max: f.length ? Math.max(...f) : NaN, n: f.length };
}

/**
 * Exact two-sided Mann–Whitney U test (ties count ½; the exact null distribution assumes no ties).
 * @param {number[]} x @param {number[]} y
 * @returns {{ u: number, p: number }}
 */
export function mannWhitney(x, y) {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: NaN, p: NaN };
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  // counts[n][m][k]: number of orderings of n x's and m y's with U = k (U counts x>y pairs).
  const max = n1 * n2;
  /** @type {Map<string, number[]>} */
  const memo = new Map();
  /** @param {number} n @param {number} m @returns {number[]} */
  const dist = (n, m) => {
    const key = `${n},${m}`;
    const hit = memo.get(key);
    if (hit) return hit;
    /** @type {number[]} */
    let r;
    if (n === 0 || m === 0) r = [1];
    else {
      // The largest element is an x (it beats all m y's) or a y.
      const a = dist(n - 1, m);
      const b = dist(n, m - 1);
      r = new Array(n * m + 1).fill(0);
      a.forEach((c, k) => {
        r[k + m] += c;
      });
      b.forEach((c, k) => {
        r[k] += c;
      });
    }
    memo.set(key, r);
    return r;
  };
  const d = dist(n1, n2);
  const total = d.reduce((s, c) => s + c, 0);
  let le = 0;
  let ge = 0;
  for (let k = 0; k <= max; k++) {
    if (k <= u) le += d[k];
    if (k >= u) ge += d[k];
  }
  return { u, p: Math.min(1, (2 * Math.min(le, ge)) / total) };
}
