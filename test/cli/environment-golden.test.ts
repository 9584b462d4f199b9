/**
 * Golden tests for `flume-ts validate --check-environment` (test/cli/env-golden/env.conf): a TCP and a UDP port held
 * by this test, a free port, missing / unwritable / not-a-directory directories (/sys is not writable even by root),
 * unresolvable host names (.invalid never resolves). Port numbers are replaced by placeholders before comparing.
 * Re-record with UPDATE_GOLDEN=1 npx vitest run test/cli/environment-golden.test.ts and review the diff.
 */
import dgram from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateMain } from '../../src/cli/main.js';
import { freePort } from '../support/agent-process.js';

const DIR = path.join(import.meta.dirname, 'env-golden');
const rel = path.relative(process.cwd(), DIR);

describe('flume-ts validate --check-environment golden output', () => {
  const tcp = net.createServer();
  const udp = dgram.createSocket('udp4');
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    ports['busy.port'] = (tcp.address() as net.AddressInfo).port;
    ports['busy.udp'] = udp.address().port;
    ports['free.port'] = await freePort();
  });

  afterAll(() => {
    tcp.close();
    udp.close();
  });

  for (const format of ['text', 'json'] as const) {
    it(`env.conf --format ${format}`, async () => {
      const lines: string[] = [];
      const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
      const defs = Object.entries(ports).map(([k, v]) => `-D${k}=${v}`);
      const code = await validateMain(
        ['--conf-file', path.join(rel, 'env.conf'), '-n', 'a1', '--check-environment', '--format', format, ...defs],
        io,
      );
      let actual = `exit ${code}\n${lines.join('\n')}\n`;
      for (const [k, v] of Object.entries(ports)) actual = actual.replaceAll(String(v), `<${k}>`);
      // the resolver's answer for a name that does not exist depends on the machine's DNS set-up
      actual = actual.replace(/\((EAI_AGAIN|EAI_FAIL|EAI_NONAME|ESERVFAIL|no answer within 3 s)\)/g, '(ENOTFOUND)');
      const golden = path.join(DIR, `env.${format}.golden`);
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
      expect(actual).toBe(readFileSync(golden, 'utf8'));
    });
  }

  it('is off by default: the same file validates without environment findings', async () => {
    const lines: string[] = [];
    const defs = Object.entries(ports).map(([k, v]) => `-D${k}=${v}`);
    const code = await validateMain(['--conf-file', path.join(rel, 'env.conf'), '-n', 'a1', ...defs], {
      out: (s) => lines.push(s),
      err: (s) => lines.push(s),
    });
    expect(code).toBe(0);
    expect(lines.join('\n')).not.toMatch(/env-/);
  });
});
