import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export { create, memory, propMap } from '../../support/context.js';

export function tmpDirSync(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'flume-ts-es-'));
}
