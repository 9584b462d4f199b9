/**
 * Start-up without V8's compiling tiers. bin/flume-ts and bin/flume-ng start node with `--no-opt --no-sparkplug`:
 * the start-up code (loading ~80 modules, parsing and checking the configuration) runs once, but loading the modules
 * alone makes Node's own path helpers hot enough for TurboFan, and that first optimisation pages in about 3.6 MiB of
 * the node binary's compiler code (and Sparkplug's about 0.9 MiB) that an idle agent never needs
 * (bench/results/2026-12-01-idle-rss.md). Both tiers are switched back on as soon as the agent has started, before
 * any event can be hot, so the hot path is compiled exactly as before; short commands (validate, docs, avro-client, …)
 * switch them on before they run.
 *
 * Only the tiers the process was started without through its command line (process.execArgv, i.e. the bin scripts'
 * `#!` line) are switched back on: `node --no-opt bin/flume-ts …` typed by hand behaves the same, NODE_OPTIONS is not
 * touched. V8 reads these two flags at every tiering decision (v8.setFlagsFromString after start is documented by
 * Node as allowed but unsupported; test/cli/jit.test.ts checks that optimisation really resumes).
 */
import v8 from 'node:v8';

/** The command-line flags this module may undo, with the flag that undoes each. */
const DEFERRED: ReadonlyArray<readonly [off: string, on: string]> = [
  ['--no-opt', '--opt'],
  ['--no-sparkplug', '--sparkplug'],
];

/** Longest start-up before the tiers come back anyway (an agent whose start hangs must not run its flows unoptimised). */
export const START_GRACE_MS = 30_000;

let restored = false;

/** The flags that switch back on what `execArgv` switched off. */
export function deferredTiers(execArgv: readonly string[] = process.execArgv): string[] {
  return DEFERRED.filter(([off]) => execArgv.includes(off)).map(([, on]) => on);
}

/** Switches the deferred tiers back on (once; later calls do nothing). */
export function enableJit(execArgv: readonly string[] = process.execArgv): void {
  if (restored) return;
  restored = true;
  for (const flag of deferredTiers(execArgv)) v8.setFlagsFromString(flag);
}

/** Whether enableJit has run. */
export const jitEnabled = (): boolean => restored;

/**
 * Called first by the command line with the command's name: an agent switches the tiers on once it has started
 * (agent-command.ts), or after START_GRACE_MS at the latest; every other command at once.
 */
export function startupJit(command: string | undefined): void {
  if (command === 'agent' || command === 'node') setTimeout(() => enableJit(), START_GRACE_MS).unref();
  else enableJit();
}
