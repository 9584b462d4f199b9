/**
 * Plugins end to end with the example package examples/plugin-uppercase: netcat → uppercase interceptor (plugin) →
 * memory → jsonl sink (plugin), named by file path and by npm package name; `flume-ts validate` checks plugin
 * properties; `flume-ts docs --plugin` documents them; a Java class name still fails with a hint to plugins.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, canConnect, freePort, sendLines, startAgent, tmpDir, waitFor, type AgentProcess } from '../support/agent-process.js';

const run = promisify(execFile);
const EXAMPLE = path.join(ROOT, 'examples', 'plugin-uppercase');

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop('SIGTERM');
  agent = undefined;
});

const conf = (port: number, out: string, plugin: string) => `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = up
a1.sources.r1.interceptors.up.type = ${plugin}#uppercase
a1.sources.r1.interceptors.up.originalHeader = orig
a1.channels.c1.type = memory
a1.sinks.k1.type = ${plugin}#jsonl
a1.sinks.k1.channel = c1
a1.sinks.k1.path = ${out}
a1.sinks.k1.batchSize = 10
`;

async function roundTrip(plugin: string, dir: string): Promise<unknown[]> {
  const port = await freePort();
  const out = path.join(dir, 'out.jsonl');
  const file = path.join(dir, 'flume.conf');
  agent = startAgent(conf(port, out, plugin), [], 'a1', { file });
  await waitFor(() => canConnect(port), 'netcat port', 30_000);
  expect(await sendLines(port, ['hello', 'wörld'])).toEqual(['OK', 'OK']);
  await waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').split('\n').length > 2, 'two JSON lines', 30_000);
  return fs
    .readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

const expected = [
  { headers: { orig: 'hello' }, body: 'HELLO' },
  { headers: { orig: 'wörld' }, body: 'WÖRLD' },
];

describe('plugins', () => {
  it('a plugin file, named by a path relative to the config file, runs as interceptor and sink', async () => {
    const dir = tmpDir('plugin-file-');
    fs.cpSync(EXAMPLE, path.join(dir, 'plugins', 'upper'), { recursive: true });
    expect(await roundTrip('./plugins/upper/index.js', dir)).toEqual(expected);
    expect(agent!.stderr()).toMatch(/plugin loaded/);
  });

  it('an npm package, named by its package name (node_modules beside the config)', async () => {
    const dir = tmpDir('plugin-pkg-');
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(EXAMPLE, path.join(dir, 'node_modules', 'flume-ts-plugin-uppercase'));
    expect(await roundTrip('flume-ts-plugin-uppercase', dir)).toEqual(expected);
  });

  it('validate checks plugin properties; docs --plugin documents them; load errors and Java classes are explained', async () => {
    const dir = tmpDir('plugin-validate-');
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(EXAMPLE, path.join(dir, 'node_modules', 'flume-ts-plugin-uppercase'));
    const file = path.join(dir, 'flume.conf');
    fs.writeFileSync(
      file,
      conf(4444, '/tmp/x', 'flume-ts-plugin-uppercase').replace('batchSize = 10', 'batchSize = ten') +
        'a1.sinks = k1 k2 k3\na1.sinks.k2.type = com.example.MySink\na1.sinks.k2.channel = c1\n' +
        'a1.sinks.k3.type = ./missing-plugin.js\na1.sinks.k3.channel = c1\n',
    );
    const r = await run(BIN, ['validate', '--conf-file', file]).catch((e: { stdout: string }) => e);
    expect(r.stdout).toMatch(/a1\.sinks\.k1\.batchSize: expected an integer, got "ten"/);
    expect(r.stdout).toMatch(/com\.example\.MySink.*custom Java classes cannot run in flume-ts.*plugin/);
    expect(r.stdout).toMatch(/cannot load the plugin "\.\/missing-plugin\.js"/);
    const docs = await run(BIN, ['docs', '--plugin', path.join(EXAMPLE, 'index.js')]);
    expect(docs.stdout).toMatch(/Upper-cases each event body/);
    expect(docs.stdout).toMatch(/originalHeader/);
    expect(docs.stdout).toMatch(/Appends each event as one JSON line/);
  });
});
