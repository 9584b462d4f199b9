/** Reading the configuration files an agent runs from (`--conf-file` paths or `file:` URIs). */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConfigFile } from '../config/model.js';
import { FlumeError } from '../core/errors.js';

export const filePathOf = (f: string): string => (f.startsWith('file:') ? fileURLToPath(f) : f);

/** Reads every file; a file that cannot be read is a FLUME_CONFIG_READ error naming it. */
export function readConfigs(files: readonly string[]): ConfigFile[] {
  return files.map((f) => {
    const file = filePathOf(f);
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new FlumeError('FLUME_CONFIG_READ', `cannot read configuration file ${file}: ${why}`);
    }
  });
}

/** Modification times of the files (-1 for a file that cannot be read), for the reload check. */
export function modificationTimes(files: readonly string[]): number[] {
  return files.map((f) => {
    try {
      return statSync(filePathOf(f)).mtimeMs;
    } catch {
      return -1;
    }
  });
}
