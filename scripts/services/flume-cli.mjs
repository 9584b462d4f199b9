#!/usr/bin/env node
// npm run flume -- agent --conf-file F --name A [-Dk=v ...] [--heap 1g] [--log-dir D] [--no-reload-conf]
// Runs real Apache Flume 1.11.0 in the foreground; Ctrl-C / SIGTERM stops it (Flume's shutdown hook runs).
// The agent's log goes to <log-dir>/flume.log (printed on start).
import { spawn } from 'node:child_process';
import { DEFAULT_HEAP, flumeCommand, parseFlumeArgs } from './flume.mjs';

let opts;
try {
  opts = parseFlumeArgs(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
}
const c = flumeCommand(opts);
console.error(`[flume] Apache Flume 1.11.0 agent ${opts.name}, heap ${opts.heap ?? DEFAULT_HEAP}; log: ${c.logFile}`);
const child = spawn(c.cmd, c.args, { stdio: 'inherit' });
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']))
  process.on(sig, () => child.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1)));
