// node watchdog.mjs OWNER_PID PID...
// Waits until OWNER_PID is gone, then stops PIDs (SIGTERM, SIGKILL after 15 s) and removes services whose pids
// they were from the state file. Runs detached, so a test worker killed with SIGKILL still leaves nothing behind.
import { pidAlive, readState, sleep, stopPid, updateState, withLock } from './lib.mjs';

const [owner, ...pids] = process.argv.slice(2).map(Number);
process.title = `flume-ts-services-watchdog owner=${owner}`;

while (pidAlive(owner) && pids.some(pidAlive)) await sleep(500);
if (pids.some(pidAlive)) {
  await Promise.all([...pids].reverse().map((p) => stopPid(p)));
}
try {
  await withLock(async () => {
    const names = Object.entries(readState().services)
      .filter(([, s]) => s.pids.some((p) => pids.includes(p)))
      .map(([n]) => n);
    if (names.length)
      updateState((s) => {
        for (const n of names) delete s.services[n];
      });
  }, 30_000);
} catch {
  /* the state file is advisory: liveService() ignores dead pids anyway */
}
