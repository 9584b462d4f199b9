/**
 * The glibc malloc settings of the bin scripts' `#!` line (src/cli/launcher-env.ts): both scripts carry exactly
 * LAUNCHER_MALLOC_ENV, and dropLauncherEnv takes out only those values (test/e2e/launcher-env.test.ts: a real agent).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropLauncherEnv, LAUNCHER_MALLOC_ENV } from '../../src/cli/launcher-env.js';
import { ROOT } from '../support/agent-process.js';

const shebang = (bin: string) => fs.readFileSync(path.join(ROOT, 'bin', bin), 'utf8').split('\n', 1)[0]!;

describe('launcher malloc settings', () => {
  it('bin/flume-ts and bin/flume-ng set exactly LAUNCHER_MALLOC_ENV before node', () => {
    for (const bin of ['flume-ts', 'flume-ng']) {
      const m = /^#!\/usr\/bin\/env -S (.*?) node /.exec(shebang(bin));
      expect(m, bin).not.toBeNull();
      const assigned = Object.fromEntries(m![1]!.split(/\s+/).map((w) => w.split('=') as [string, string]));
      expect(assigned, bin).toEqual(LAUNCHER_MALLOC_ENV);
    }
  });

  it('dropLauncherEnv removes the launcher values and keeps anything else', () => {
    const env: NodeJS.ProcessEnv = { ...LAUNCHER_MALLOC_ENV, PATH: '/bin' };
    dropLauncherEnv(env);
    expect(env).toEqual({ PATH: '/bin' });
    const own: NodeJS.ProcessEnv = { MALLOC_TRIM_THRESHOLD_: '1000' };
    dropLauncherEnv(own);
    expect(own).toEqual({ MALLOC_TRIM_THRESHOLD_: '1000' });
  });
});
