/**
 * Debian's headless Chromium for tests (installed by .ci/run): `--dump-dom` after the page's scripts ran for a
 * virtual time budget, and `--screenshot` to a PNG. No GPU, no sandbox (CI runs as root), a private profile.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

function run(args: string[]): Promise<string> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'flume-ts-chromium-'));
  const argv = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    ...args,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, argv, { timeout: 90_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (err)
        reject(
          new Error(`${CHROMIUM} failed (is Debian's chromium installed? .ci/run installs it): ${err.message}\n${stderr.slice(-2000)}`),
        );
      else resolve(stdout);
    });
  });
}

/** The DOM after `budgetMs` of virtual time (timers and fetches of the page have run). */
export const dumpDom = (url: string, budgetMs = 5000) => run([`--virtual-time-budget=${budgetMs}`, '--dump-dom', url]);

/** A PNG screenshot of `url` at the given window size, after `budgetMs` of virtual time. */
export const screenshot = (url: string, file: string, size = '1280,720', budgetMs = 5000) =>
  run([`--virtual-time-budget=${budgetMs}`, `--window-size=${size}`, `--screenshot=${file}`, url]);
