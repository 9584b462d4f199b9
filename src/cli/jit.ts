/**
 * Start-up without V8's compiling tiers. bin/flume-ts and bin/flume-ng start node with `--no-opt --no-sparkplug`:
 * the start-up code (loading ~80 modules, parsing and checking the configuration) runs once, but loading the modules
 * alone makes Node's own path and URL helpers hot enough for TurboFan, and that first optimisation pages in about
 * 3.6 MiB of the node binary's compiler code (Sparkplug's about 0.9 MiB more) that an idle agent never needs
 * (bench/results/2026-12-01-idle-rss.md).
 *
 * Once the agent has started, both tiers come back on as soon as the process is busy: more than BUSY_SHARE of a core
 * over one SAMPLE_MS window (process.cpuUsage). Waiting for work rather than switching them on at once matters: the
 * helpers the start-up made hot would otherwise be compiled at their next call (one monitoring request), paging the
 * compiler in anyway. An idle agent, or one only scraped now and then, stays small; under load the hot path is
 * compiled as before, after at most one window of interpreted events. Short commands (validate, docs, avro-client, …)
 * switch the tiers on before they run; an agent whose start takes longer than START_GRACE_MS starts watching then.
 *
 * Only the tiers the process was started without through its command line (process.execArgv, i.e. the bin scripts'
 * `#!` line) are switched back on: `node --no-opt bin/flume-ts …` typed by hand behaves the same, NODE_OPTIONS is not
 * touched. V8 reads these two flags at every tiering decision (Node documents v8.setFlagsFromString after start as
 * possible but unsupported; test/e2e/startup-jit.test.ts checks that optimisation really resumes).
 */
import v8 from 'node:v8';

/** The command-line flags this module may undo, with the flag that undoes each. */
const DEFERRED: ReadonlyArray<readonly [off: string, on: string]> = [
  ['--no-opt', '--opt'],
  ['--no-sparkplug', '--sparkplug'],
];

/** Longest start-up before the busy watch begins anyway (an agent whose start hangs must not run its flows unoptimised). */
export const START_GRACE_MS = 30_000;
/** The busy watch's window, and the share of one core above which the process counts as busy. */
export const SAMPLE_MS = 250;
export const BUSY_SHARE = 0.1;

let restored = false;
let watch: NodeJS.Timeout | undefined;

/** The flags that switch back on what `execArgv` switched off. */
export function deferredTiers(execArgv: readonly string[] = process.execArgv): string[] {
  return DEFERRED.filter(([off]) => execArgv.includes(off)).map(([, on]) => on);
}

/** Switches the deferred tiers back on (once; later calls do nothing). */
export function enableJit(execArgv: readonly string[] = process.execArgv): void {
  if (restored) return;
  restored = true;
  if (watch) clearInterval(watch);
  watch = undefined;
  for (const flag of deferredTiers(execArgv)) v8.setFlagsFromString(flag);
}

/** Whether enableJit has run. */
export const jitEnabled = (): boolean => restored;

/** Busy: the CPU time (µs, user + system) used over a window of `ms` is above BUSY_SHARE of it. */
export const isBusy = (usedMicros: number, ms: number = SAMPLE_MS): boolean => usedMicros / 1000 > ms * BUSY_SHARE;

/** Switches the deferred tiers on at the end of the first busy SAMPLE_MS window (at once when none is deferred). */
export function enableJitWhenBusy(
  execArgv: readonly string[] = process.execArgv,
  cpu: () => NodeJS.CpuUsage = () => process.cpuUsage(),
): void {
  if (restored || watch) return;
  if (deferredTiers(execArgv).length === 0) {
    enableJit(execArgv);
    return;
  }
  let last = cpu();
  watch = setInterval(() => {
    const now = cpu();
    const used = now.user - last.user + (now.system - last.system);
    last = now;
    if (isBusy(used)) enableJit(execArgv);
  }, SAMPLE_MS).unref();
}

/**
 * Called first by the command line with the command's name: an agent watches for work once it has started
 * (agent-command.ts), or after START_GRACE_MS at the latest; every other command switches the tiers on at once.
 */
export function startupJit(command: string | undefined): void {
  if (command === 'agent' || command === 'node') setTimeout(() => enableJitWhenBusy(), START_GRACE_MS).unref();
  else enableJit();
}
