// The two agents under test. Both get the same properties file and the same monitoring flags
// (-Dflume.monitoring.type=http -Dflume.monitoring.port=P); the runner reads GET /metrics from both.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startFlume } from '../scripts/services/flume.mjs';
import { ROOT } from '../scripts/services/lib.mjs';

/**
 * @typedef {object} AgentRun
 * @property {number} pid  the process whose CPU and RSS are measured
 * @property {import('node:child_process').ChildProcess} child
 * @property {string} logDir
 */

/**
 * @typedef {object} AgentDef
 * @property {string} key      'F' | 'T'
 * @property {string} label
 * @property {() => string | undefined} unavailable  reason it cannot run, or undefined
 * @property {() => void} prepare                     once per bench run (download / build)
 * @property {(o: { confFile: string, monPort: number, logDir: string, heap: string }) => AgentRun} start
 */

/** @type {Record<string, AgentDef>} */
export const AGENTS = {
  flume: {
    key: 'F',
    label: 'Apache Flume 1.11.0',
    unavailable: () => (spawnSync('java', ['-version']).status === 0 ? undefined : 'no java on PATH'),
    prepare: () => {
      // startFlume downloads the artefacts on first use; nothing else to do.
    },
    start: ({ confFile, monPort, logDir, heap }) => {
      const r = startFlume({
        confFile,
        name: 'a1',
        heap,
        logDir,
        props: { 'flume.monitoring.type': 'http', 'flume.monitoring.port': String(monPort) },
        args: ['--no-reload-conf'],
      });
      return { pid: r.pid, child: r.child, logDir };
    },
  },
  ts: {
    key: 'T',
    label: 'flume-ts',
    unavailable: () =>
      fs.existsSync(path.join(ROOT, 'src', 'cli', 'main.ts')) || fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))
        ? undefined
        : 'the flume-ts agent CLI (src/cli/main.ts) is not on this branch yet',
    prepare: () => {
      if (!fs.existsSync(path.join(ROOT, 'src', 'cli', 'main.ts'))) return;
      if (isBuildFresh()) return;
      process.stderr.write('[bench] building flume-ts (tsc)…\n');
      const r = spawnSync(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json')],
        { stdio: 'inherit' },
      );
      if (r.status !== 0) throw new Error('tsc failed');
    },
    start: (o) => startTs(o, {}),
  },
};

/**
 * Starts bin/flume-ts of the tree `root` on a properties file, with extra environment variables and node flags (after
 * the `#!` line's, so a V8 flag given again overrides it). @param {{ confFile: string, monPort: number, logDir: string }} o
 * @param {Record<string, string>} extraEnv @param {string[]} [extraFlags] @param {string} [root]
 */
function startTs({ confFile, monPort, logDir }, extraEnv, extraFlags = [], root = ROOT) {
  fs.mkdirSync(logDir, { recursive: true });
  const out = fs.openSync(path.join(logDir, 'stdout.log'), 'a');
  const child = spawn(
    process.execPath,
    [
      ...shebangFlags(root),
      ...extraFlags,
      path.join(root, 'bin', 'flume-ts'),
      'agent',
      '--conf-file',
      confFile,
      '--name',
      'a1',
      '-Dflume.monitoring.type=http',
      `-Dflume.monitoring.port=${monPort}`,
      '--no-reload-conf',
    ],
    { stdio: ['ignore', out, out], cwd: root, env: { ...process.env, ...shebangEnv(root), FLUME_TS_LOG_DIR: logDir, ...extraEnv } },
  );
  fs.closeSync(out);
  return { pid: /** @type {number} */ (child.pid), child, logDir };
}

/**
 * `--agents flume,ts,tsbase`: flume-ts once more, with the environment FLUME_TS_BENCH_BASE_ENV names (NAME=VALUE,…),
 * e.g. FLUME_TS_KAFKA_FAST_PRODUCE=0 to interleave the code paths before and after a change in one run, and the node
 * flags FLUME_TS_BENCH_BASE_NODE_FLAGS names (space-separated, e.g. `--max-semi-space-size=64`); bench/run.mjs and
 * bench/s3.mjs also add the properties FLUME_TS_BENCH_BASE_PROPS names (BASE_PROPS) to its configuration. With
 * FLUME_TS_BENCH_BASE_ROOT it runs another flume-ts tree (built: bin/ and dist/), e.g. a `git worktree` of the commit
 * before a change, to interleave two builds.
 */
/**
 * FLUME_TS_BENCH_BASE_PROPS (`;`-separated key=value, e.g. `a1.sinks.k1.batches-in-flight=1`) as property lines: what
 * the `tsbase` agent's configuration adds, so that one setting is compared with the same build, interleaved with `ts`.
 */
export const BASE_PROPS = String(process.env.FLUME_TS_BENCH_BASE_PROPS ?? '')
  .split(';')
  .map((kv) => kv.trim())
  .filter((kv) => kv.includes('='))
  .map((kv) => `${kv.slice(0, kv.indexOf('=')).trim()} = ${kv.slice(kv.indexOf('=') + 1).trim()}`);

AGENTS.tsbase = {
  ...AGENTS.ts,
  key: 'B',
  label: `flume-ts ${[process.env.FLUME_TS_BENCH_BASE_ROOT, process.env.FLUME_TS_BENCH_BASE_ENV, process.env.FLUME_TS_BENCH_BASE_NODE_FLAGS, process.env.FLUME_TS_BENCH_BASE_PROPS].filter(Boolean).join(' ') || '(baseline)'}`,
  start: (o) => {
    const env = Object.fromEntries(
      String(process.env.FLUME_TS_BENCH_BASE_ENV ?? '')
        .split(',')
        .filter((kv) => kv.includes('='))
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    return startTs(
      o,
      env,
      String(process.env.FLUME_TS_BENCH_BASE_NODE_FLAGS ?? '')
        .split(/\s+/)
        .filter(Boolean),
      process.env.FLUME_TS_BENCH_BASE_ROOT ? path.resolve(process.env.FLUME_TS_BENCH_BASE_ROOT) : ROOT,
    );
  },
};

/**
 * The node flags of bin/flume-ts's `#!/usr/bin/env -S NAME=VALUE… node …` line: started as `node bin/flume-ts`, the
 * agent would run without them (the shebang is only read when the file itself is executed, as users do).
 */
function shebangFlags(root = ROOT) {
  const m = /^#!.*\bnode\b(.*)$/.exec(shebangLine(root));
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

/** The environment assignments of that line (before `node`). @returns {Record<string, string>} */
function shebangEnv(root = ROOT) {
  const m = /^#!\S*env -S (.*?)\bnode\b/.exec(shebangLine(root));
  const words = m
    ? m[1]
        .trim()
        .split(/\s+/)
        .filter((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w))
    : [];
  return Object.fromEntries(words.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
}

const shebangLine = (root = ROOT) => fs.readFileSync(path.join(root, 'bin', 'flume-ts'), 'utf8').split('\n', 1)[0] ?? '';

/** dist/ is newer than every file under src/. */
function isBuildFresh() {
  const main = path.join(ROOT, 'dist', 'cli', 'main.js');
  if (!fs.existsSync(main)) return false;
  const built = fs.statSync(main).mtimeMs;
  /** @param {string} d @returns {boolean} */
  const newer = (d) =>
    fs.readdirSync(d, { withFileTypes: true }).some((e) => {
      const p = path.join(d, e.name);
      return e.isDirectory() ? newer(p) : fs.statSync(p).mtimeMs > built;
    });
  return !newer(path.join(ROOT, 'src'));
}
