/**
 * bin/flume-ts and bin/flume-ng start node through `#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=… MALLOC_TRIM_THRESHOLD_=…
 * node …`: glibc reads these two when the process starts and then serves buffers up to 32 MiB (Kafka fetch responses,
 * file_roll and HDFS batches) from its heap, keeping up to 64 MiB freed at its top, instead of mapping fresh pages for
 * each large buffer and unmapping them when it is collected (page faults that showed as Buffer copies in profiles;
 * docs/operations.md has the figures). They have done their work once node runs, so the agent takes them out of its
 * environment: the commands it starts (exec source, shell interceptors) run with glibc's defaults.
 */

/** The assignments of the `#!` line (test/cli/launcher-env.test.ts keeps both bin scripts equal to them). */
export const LAUNCHER_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '33554432',
  MALLOC_TRIM_THRESHOLD_: '67108864',
};

/** Removes the launcher's malloc settings from `env` (only where they still have the launcher's values). */
export function dropLauncherEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const [k, v] of Object.entries(LAUNCHER_MALLOC_ENV)) if (env[k] === v) delete env[k];
}
