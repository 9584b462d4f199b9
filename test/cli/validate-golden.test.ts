/**
 * Golden tests for `flume-ts validate`: configs with known problems (test/cli/validate-golden/*.conf), their text and
 * JSON output and exit status compared with the recorded *.golden files. After an intended change of the output,
 * re-record with UPDATE_GOLDEN=1 npx vitest run test/cli/validate-golden.test.ts and review the diff.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateMain } from '../../src/cli/main.js';

const DIR = path.join(import.meta.dirname, 'validate-golden');
// relative to the repository root, as the locations in the output are
const rel = path.relative(process.cwd(), DIR);

describe('flume-ts validate golden output', () => {
  for (const conf of readdirSync(DIR).filter((f) => f.endsWith('.conf'))) {
    for (const format of ['text', 'json'] as const) {
      it(`${conf} --format ${format}`, async () => {
        const lines: string[] = [];
        const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
        const code = await validateMain(['--conf-file', path.join(rel, conf), '--format', format], io);
        const actual = `exit ${code}\n${lines.join('\n')}\n`;
        const golden = path.join(DIR, conf.replace(/\.conf$/, `.${format}.golden`));
        if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
        expect(actual).toBe(readFileSync(golden, 'utf8'));
      });
    }
  }
});
