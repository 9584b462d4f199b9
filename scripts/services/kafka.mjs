// Apache Kafka 3.9 broker+controller in KRaft mode (no ZooKeeper), one node, on loopback.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HOST, cp, ensureArtifacts, freePorts, javaBin, pidAlive, portOpen, runSync, spawnDaemon, waitFor } from './lib.mjs';

/** Heap for the broker; override with FLUME_TS_KAFKA_HEAP (e.g. 1g). */
const HEAP = process.env.FLUME_TS_KAFKA_HEAP ?? '512m';

/**
 * @param {string} dir run directory (created by the caller)
 * @returns {Promise<import('./lib.mjs').ServiceInfo>}
 */
export async function start(dir) {
  const lib = ensureArtifacts('kafka');
  const t0 = Date.now();
  const [port, controllerPort] = await freePorts(2);
  const dataDir = path.join(dir, 'data');
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  const props = path.join(dir, 'server.properties');
  fs.writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${HOST}:${controllerPort}`,
      `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://${HOST}:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${dataDir}`,
      'num.partitions=1',
      'auto.create.topics.enable=true',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=3',
      'group.initial.rebalance.delay.ms=0',
      'num.network.threads=2',
      'num.io.threads=2',
      'log.segment.bytes=67108864',
      'log.retention.hours=1',
      'delete.topic.enable=true',
      '',
    ].join('\n'),
  );
  const log4j = path.join(dir, 'log4j.properties');
  fs.writeFileSync(
    log4j,
    [
      'log4j.rootLogger=INFO, file',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      `log4j.appender.file.File=${path.join(logDir, 'server.log')}`,
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.state.change.logger=WARN',
      'log4j.logger.kafka.controller=INFO',
      'log4j.logger.org.apache.kafka.raft=INFO',
      '',
    ].join('\n'),
  );
  const jvm = [
    `-Xms${HEAP}`,
    `-Xmx${HEAP}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:TieredStopAtLevel=1', // C1 only: much faster start, little CPU for JIT; enough for tests
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4j}`,
    `-Dkafka.logs.dir=${logDir}`,
    '-cp',
    cp(lib),
  ];
  if (process.env.FLUME_TS_KAFKA_FULL_JIT) jvm.splice(jvm.indexOf('-XX:TieredStopAtLevel=1'), 1);
  const clusterId = kafkaUuid();
  const stdout = path.join(logDir, 'stdout.log');
  runSync(
    javaBin(),
    [...jvm.filter((a) => !a.startsWith('-Xm')), '-Xmx256m', 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props],
    {
      logFile: stdout,
      timeoutMs: 120_000,
    },
  );
  const child = spawnDaemon(javaBin(), [...jvm, 'kafka.Kafka', props], { cwd: dir, logFile: stdout });
  const pid = /** @type {number} */ (child.pid);
  const serverLog = path.join(logDir, 'server.log');
  await waitFor(
    'kafka',
    async () =>
      (await portOpen(port)) && /Kafka Server started|\[KafkaRaftServer nodeId=1\] Kafka Server started/.test(readSafe(serverLog)),
    { alive: () => pidAlive(pid), logFile: stdout, timeoutMs: 120_000 },
  );
  return {
    name: 'kafka',
    host: HOST,
    ports: { broker: port, controller: controllerPort },
    pids: [pid],
    logs: { server: serverLog, stdout },
    dir,
    urls: { bootstrap: `${HOST}:${port}` },
    startedAt: new Date(t0).toISOString(),
    startMs: Date.now() - t0,
  };
}

/** @param {string} f */
function readSafe(f) {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

/**
 * A random Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what `random-uuid` prints). Like
 * Kafka's Uuid.randomUuid it never starts with '-', which kafka-storage's argument parser would take for an option.
 */
function kafkaUuid() {
  for (;;) {
    const b = randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const id = b.toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
