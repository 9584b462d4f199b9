#!/usr/bin/env node
// Micro-benchmark of the properties lexer's scaling: parse time of configs of n and 4n lines (and continuation lines);
// a linear lexer takes about 4× as long for 4× the text. (The unit test checks only the result on a large input.)
// Usage: npx tsc -p tsconfig.json && node bench/properties.mjs [--lines N]
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '50000' }, rounds: { type: 'string', default: '5' } } });
const dist = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist');
const { parseProperties } = await import(path.join(dist, 'config/properties.js'));

function text(n) {
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(`a${i}.sinks.k${i}.type = logger # ${i}`);
  const long = Array.from({ length: Math.floor(n / 2.5) }, (_, i) => `  part${i} \\`).join('\n');
  return `${lines.join('\n')}\nbig = \\\n${long}\n  end\n`;
}

function best(t, rounds) {
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    parseProperties(t, 'f');
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const n = Number(values.lines);
const rounds = Number(values.rounds);
const small = best(text(n), rounds);
const large = best(text(4 * n), rounds);
console.log(`lines ${n}: ${small.toFixed(1)} ms; lines ${4 * n}: ${large.toFixed(1)} ms; ratio ${(large / small).toFixed(2)} (linear ≈ 4)`);
