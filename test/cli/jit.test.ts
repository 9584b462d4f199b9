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

  it('an agent waits for its start (enableJit from agent-command.ts), at most START_GRACE_MS', async () => {
    vi.useFakeTimers();
    const { startupJit, jitEnabled, START_GRACE_MS } = await fresh();
    startupJit('agent');
    expect(jitEnabled()).toBe(false);
    vi.advanceTimersByTime(START_GRACE_MS - 1);
    expect(jitEnabled()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(jitEnabled()).toBe(true);
  });
});
