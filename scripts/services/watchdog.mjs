// node watchdog.mjs OWNER_PID NAME...
// Waits until OWNER_PID is gone, then stops the services NAME… that OWNER_PID started, with the pids the state file
// lists for them at that moment (SIGTERM, SIGKILL after 15 s), and removes them from the state file. Reading the
// pids late matters: an outage test stops a service and starts it again with new pids. Runs detached, so a test
// worker killed with SIGKILL still leaves nothing behind.
import { pidAlive, readState, sleep, stopPid, updateState, withLock } from './lib.mjs';

const [ownerArg, ...names] = process.argv.slice(2);
const owner = Number(ownerArg);
process.title = `flume-ts-services-watchdog owner=${owner}`;

const owned = () => Object.entries(readState().services).filter(([n, s]) => names.includes(n) && s.owner === owner);

// stop watching once the owner is gone, or once nothing of ours is recorded any more (released normally)
while (pidAlive(owner) && owned().length > 0) await sleep(500);
try {
  await withLock(async () => {
    const mine = owned();
    await Promise.all(
      mine.flatMap(([, s]) =>
        [...s.pids]
          .reverse()
          .filter(pidAlive)
          .map((p) => stopPid(p)),
      ),
    );
    if (mine.length)
      updateState((s) => {
        for (const [n] of mine) delete s.services[n];
      });
  }, 60_000);
} catch {
  /* the state file is advisory: liveService() ignores dead pids anyway */
}
