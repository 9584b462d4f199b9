/**
 * No function (declaration, method, arrow or function expression, nested ones included in their parent's length)
 * is longer than MAX_LINES lines: long functions are where parsing, I/O and delivery get tangled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const MAX_LINES = 120;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

interface FunctionSize {
  where: string;
  lines: number;
}

function functionSizes(file: string): FunctionSize[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = (node as ts.FunctionLikeDeclaration).name?.getText(sf) ?? '<anonymous>';
      out.push({ where: `${path.relative(SRC, file)}:${first + 1} ${name}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('function size', () => {
  it(`every function in src/ is at most ${MAX_LINES} lines`, () => {
    const all = sources(SRC).flatMap(functionSizes);
    const tooLong = all.filter((f) => f.lines > MAX_LINES).map((f) => `${f.where}: ${f.lines} lines`);
    expect(tooLong).toEqual([]);
  });
});
