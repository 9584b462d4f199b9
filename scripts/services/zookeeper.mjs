// Apache ZooKeeper 3.8 standalone server on loopback, for the agent's -z/--zkConnString configuration tests.
// Its jars come from Maven Central with the kafka profile of test/services/pom.xml (kafka_2.13 depends on
// org.apache.zookeeper:zookeeper 3.8.4 and its netty/slf4j), so no extra download is needed.
import fs from 'node:fs';
import path from 'node:path';
import { HOST, cp, ensureArtifacts, freePort, javaBin, pidAlive, portOpen, spawnDaemon, stopPid, waitFor } from './lib.mjs';

/**
 * Starts a private ZooKeeper server in `dir` (created by the caller).
 * @param {string} dir
 * @returns {Promise<{ port: number, pid: number, connect: string, stop: () => Promise<void> }>}
 */
export async function startZooKeeper(dir) {
  const lib = ensureArtifacts('kafka');
  const port = await freePort();
  const data = path.join(dir, 'data');
  fs.mkdirSync(data, { recursive: true });
  const cfg = path.join(dir, 'zoo.cfg');
  fs.writeFileSync(
    cfg,
    [
      `dataDir=${data}`,
      `clientPort=${port}`,
      `clientPortAddress=${HOST}`,
      'tickTime=500',
      'maxClientCnxns=0',
      'admin.enableServer=false',
      '',
    ].join('\n'),
  );
  const logFile = path.join(dir, 'zookeeper.log');
  const child = spawnDaemon(
    javaBin(),
    ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-cp', cp(lib), 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg],
    { cwd: dir, logFile },
  );
  const pid = /** @type {number} */ (child.pid);
  await waitFor('zookeeper', () => portOpen(port), { alive: () => pidAlive(pid), logFile, timeoutMs: 60_000 });
  return { port, pid, connect: `${HOST}:${port}`, stop: () => stopPid(pid) };
}
