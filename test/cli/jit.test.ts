import v8 from 'node:v8';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// jit.ts keeps one flag per process: each test gets a fresh copy of the module
async function fresh() {
  vi.resetModules();
  return import('../../src/cli/jit.js');
}

describe('start-up without the compiling tiers (src/cli/jit.ts)', () => {
  let setFlags: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    setFlags = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('switches back on only the tiers the command line switched off', async () => {
    const { deferredTiers } = await fresh();
    expect(deferredTiers(['--max-semi-space-size=32', '--no-opt', '--no-sparkplug'])).toEqual(['--opt', '--sparkplug']);
    expect(deferredTiers(['--no-sparkplug'])).toEqual(['--sparkplug']);
    expect(deferredTiers(['--max-semi-space-size=32'])).toEqual([]);
    expect(deferredTiers([])).toEqual([]);
  });

  it('enableJit sets the flags once, later calls do nothing', async () => {
    const { enableJit, jitEnabled } = await fresh();
    expect(jitEnabled()).toBe(false);
    enableJit(['--no-opt', '--no-sparkplug']);
    enableJit(['--no-opt', '--no-sparkplug']);
    expect(jitEnabled()).toBe(true);
    expect(setFlags.mock.calls).toEqual([['--opt'], ['--sparkplug']]);
  });

  it('a process started with its tiers on is left alone', async () => {
    const { enableJit } = await fresh();
    enableJit(['--max-semi-space-size=32']);
    expect(setFlags).not.toHaveBeenCalled();
  });

  it('short commands switch the tiers on before they run', async () => {
    const { startupJit, jitEnabled } = await fresh();
    startupJit('validate');
    expect(jitEnabled()).toBe(true);
  });

  it('busy means more than a tenth of a core over the window', async () => {
    const { isBusy, SAMPLE_MS } = await fresh();
    expect(isBusy(SAMPLE_MS * 100)).toBe(false);
    expect(isBusy(SAMPLE_MS * 100 + 1)).toBe(true);
    expect(isBusy(0)).toBe(false);
  });

  it('a started agent switches the tiers on at the end of its first busy window, not while idle', async () => {
    vi.useFakeTimers();
    const { enableJitWhenBusy, jitEnabled, SAMPLE_MS } = await fresh();
    let used = 0;
    enableJitWhenBusy(['--no-opt', '--no-sparkplug'], () => ({ user: used, system: 0 }));
    used += 1000; // 1 ms of CPU: a monitoring request
    vi.advanceTimersByTime(SAMPLE_MS * 4);
    expect(jitEnabled()).toBe(false);
    used += SAMPLE_MS * 500; // half a core
    vi.advanceTimersByTime(SAMPLE_MS);
    expect(jitEnabled()).toBe(true);
    expect(setFlags.mock.calls).toEqual([['--opt'], ['--sparkplug']]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without deferred tiers there is nothing to watch', async () => {
    vi.useFakeTimers();
    const { enableJitWhenBusy, jitEnabled } = await fresh();
    enableJitWhenBusy(['--max-semi-space-size=32']);
    expect(jitEnabled()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(setFlags).not.toHaveBeenCalled();
  });

  it('an agent whose start takes longer than START_GRACE_MS starts watching then', async () => {
    vi.useFakeTimers();
    const { startupJit, jitEnabled, START_GRACE_MS } = await fresh();
    startupJit('agent');
    expect(jitEnabled()).toBe(false);
    vi.advanceTimersByTime(START_GRACE_MS - 1);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1);
    // the grace timer ran enableJitWhenBusy: with this process's own execArgv (no deferred tiers) that is enableJit
    expect(jitEnabled()).toBe(true);
  });
});
