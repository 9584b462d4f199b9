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
  const t0 = Date.now();
  const [port, controllerPort] = await freePorts(2);
  const { pid, serverLog, stdout } = await launch(dir, {
    controllerPort,
    listeners: [`PLAINTEXT://${HOST}:${port}`],
    protocolMap: ['PLAINTEXT:PLAINTEXT'],
    waitPort: port,
  });
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

/**
 * Writes server.properties, formats the storage (with `--add-scram` credentials) and starts the broker; resolves once it
 * serves `waitPort`.
 * @param {string} dir
 * @param {{ controllerPort: number, listeners: string[], protocolMap: string[], waitPort: number, extra?: string[],
 *   scram?: string[], jvmExtra?: string[] }} o
 */
async function launch(dir, o) {
  const lib = ensureArtifacts('kafka');
  const dataDir = path.join(dir, 'data');
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  const props = path.join(dir, 'server.properties');
  fs.writeFileSync(props, serverProperties(dataDir, o).join('\n'));
  const log4j = writeLog4j(dir, logDir);
  const jvm = [
    `-Xms${HEAP}`,
    `-Xmx${HEAP}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:TieredStopAtLevel=1', // C1 only: much faster start, little CPU for JIT; enough for tests
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4j}`,
    `-Dkafka.logs.dir=${logDir}`,
    ...(o.jvmExtra ?? []),
    '-cp',
    cp(lib),
  ];
  if (process.env.FLUME_TS_KAFKA_FULL_JIT) jvm.splice(jvm.indexOf('-XX:TieredStopAtLevel=1'), 1);
  const clusterId = kafkaUuid();
  const stdout = path.join(logDir, 'stdout.log');
  const format = ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props];
  for (const s of o.scram ?? []) format.push('--add-scram', s);
  runSync(javaBin(), [...jvm.filter((a) => !a.startsWith('-Xm')), '-Xmx256m', ...format], { logFile: stdout, timeoutMs: 120_000 });
  const child = spawnDaemon(javaBin(), [...jvm, 'kafka.Kafka', props], { cwd: dir, logFile: stdout });
  const pid = /** @type {number} */ (child.pid);
  const serverLog = path.join(logDir, 'server.log');
  await waitFor(
    'kafka',
    async () =>
      (await portOpen(o.waitPort)) && /Kafka Server started|\[KafkaRaftServer nodeId=1\] Kafka Server started/.test(readSafe(serverLog)),
    { alive: () => pidAlive(pid), logFile: stdout, timeoutMs: 120_000 },
  );
  return { pid, serverLog, stdout };
}

/** @param {string} dataDir @param {{ controllerPort: number, listeners: string[], protocolMap: string[], extra?: string[] }} o */
function serverProperties(dataDir, o) {
  const [first] = o.listeners;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${o.controllerPort}`,
    `listeners=${o.listeners.join(',')},CONTROLLER://${HOST}:${o.controllerPort}`,
    `advertised.listeners=${o.listeners.join(',')}`,
    'controller.listener.names=CONTROLLER',
    `inter.broker.listener.name=${String(first).split(':')[0]}`,
    `listener.security.protocol.map=CONTROLLER:PLAINTEXT,${o.protocolMap.join(',')}`,
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
    ...(o.extra ?? []),
    '',
  ];
}

/** @param {string} dir @param {string} logDir */
function writeLog4j(dir, logDir) {
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
  return log4j;
}

/** Test users of the secure broker: name → password (PLAIN users are in the listener's JAAS, SCRAM ones in the log). */
export const SECURE_USERS = {
  plain: { alice: 'alice-Pl41n-secret', dave: 'dave-Pl41n-secret' },
  'SCRAM-SHA-256': { bob: 'bob-Scr4m256-secret' },
  'SCRAM-SHA-512': { carol: 'carol-Scr4m512-secret' },
};

/**
 * A private broker with the security modes of real clusters, for the security tests (the caller stops `pid`):
 * - PLAINTEXT (inter-broker and the tests' admin client; principal User:ANONYMOUS is a super user),
 * - SSL with required client certificates (principal `User:CN=<client cn>`),
 * - SASL_SSL with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (users in SECURE_USERS),
 * - the StandardAuthorizer, allow.everyone.if.no.acl.found=false: every other principal needs ACLs.
 * A CA, the broker's certificate (CN and SAN 127.0.0.1/localhost) and a client certificate are made per run with
 * openssl: `tls` lists the PEM files, and the client's PKCS12 keystore with its password.
 * @param {string} dir
 */
export async function startSecure(dir) {
  const t0 = Date.now();
  fs.mkdirSync(dir, { recursive: true });
  const tls = makeCertificates(path.join(dir, 'tls'));
  const [plain, ssl, saslSsl, controllerPort] = await freePorts(4);
  const plainJaas = Object.entries(SECURE_USERS.plain)
    .map(([u, p]) => `user_${u}="${p}"`)
    .join(' ');
  const { pid, serverLog, stdout } = await launch(dir, {
    controllerPort,
    listeners: [`PLAINTEXT://${HOST}:${plain}`, `SSL://${HOST}:${ssl}`, `SASL_SSL://${HOST}:${saslSsl}`],
    protocolMap: ['PLAINTEXT:PLAINTEXT', 'SSL:SSL', 'SASL_SSL:SASL_SSL'],
    waitPort: saslSsl,
    extra: [
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users=User:ANONYMOUS',
      'allow.everyone.if.no.acl.found=false',
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${tls.brokerPem}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${tls.caPem}`,
      'listener.name.ssl.ssl.client.auth=required',
      'listener.name.sasl_ssl.ssl.client.auth=none',
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainJaas};`,
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    ],
    scram: [
      ...Object.entries(SECURE_USERS['SCRAM-SHA-256']).map(([u, p]) => `SCRAM-SHA-256=[name=${u},password=${p}]`),
      ...Object.entries(SECURE_USERS['SCRAM-SHA-512']).map(([u, p]) => `SCRAM-SHA-512=[name=${u},password=${p}]`),
    ],
  });
  return {
    pid,
    dir,
    logs: { server: serverLog, stdout },
    ports: { plaintext: plain, ssl, saslSsl, controller: controllerPort },
    tls,
    startMs: Date.now() - t0,
  };
}

/**
 * A private broker with a SASL_PLAINTEXT and a SASL_SSL GSSAPI listener (Kerberos, against the harness's MIT KDC) beside
 * a PLAINTEXT one (inter-broker, the tests' admin client); no authorizer. The SASL_SSL listener's certificate is made per
 * run (`tls`, as for startSecure; clients trust `tls.caPem`, no client certificate asked). The broker's principal is kafka/localhost@<realm>: Java
 * clients (and flume-ts) connecting to 127.0.0.1 name the service kafka/localhost (the address's host name).
 * The caller stops `pid`.
 * @param {string} dir
 * @param {{ krb5conf: string, addPrincipal: (name: string) => { principal: string, keytab: string } }} kdc
 */
export async function startKerberos(dir, kdc) {
  const t0 = Date.now();
  fs.mkdirSync(dir, { recursive: true });
  const broker = kdc.addPrincipal('kafka/localhost');
  const tls = makeCertificates(path.join(dir, 'tls'));
  const [plain, gssapi, gssapiSsl, controllerPort] = await freePorts(4);
  const jaas =
    'com.sun.security.auth.module.Krb5LoginModule required ' +
    `useKeyTab=true storeKey=true keyTab="${broker.keytab}" principal="${broker.principal}";`;
  const { pid, serverLog, stdout } = await launch(dir, {
    controllerPort,
    listeners: [`PLAINTEXT://${HOST}:${plain}`, `SASL_PLAINTEXT://${HOST}:${gssapi}`, `SASL_SSL://${HOST}:${gssapiSsl}`],
    protocolMap: ['PLAINTEXT:PLAINTEXT', 'SASL_PLAINTEXT:SASL_PLAINTEXT', 'SASL_SSL:SASL_SSL'],
    waitPort: gssapiSsl,
    jvmExtra: [`-Djava.security.krb5.conf=${kdc.krb5conf}`, '-Dsun.security.krb5.debug=false'],
    extra: [
      'sasl.enabled.mechanisms=GSSAPI',
      'sasl.kerberos.service.name=kafka',
      `listener.name.sasl_plaintext.gssapi.sasl.jaas.config=${jaas}`,
      `listener.name.sasl_ssl.gssapi.sasl.jaas.config=${jaas}`,
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${tls.brokerPem}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${tls.caPem}`,
      'listener.name.sasl_ssl.ssl.client.auth=none',
    ],
  });
  return {
    pid,
    dir,
    logs: { server: serverLog, stdout },
    tls,
    ports: { plaintext: plain, gssapi, gssapiSsl, controller: controllerPort },
    principal: broker.principal,
    startMs: Date.now() - t0,
  };
}

/**
 * CA, broker and client certificates with openssl (RSA 2048, 1 day).
 * @param {string} dir
 */
export function makeCertificates(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const f = (n) => path.join(dir, n);
  const ossl = (...args) => runSync('openssl', args, { timeoutMs: 60_000 });
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=flume-ts test CA',
  );
  const ext = f('san.cnf');
  fs.writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, cn, withSan] of [
    ['broker', 'localhost', true],
    ['client', 'flume-client', false],
  ]) {
    ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key.pem`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    const sign = ['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial'];
    ossl(...sign, '-out', f(`${name}.crt`), '-days', '1', ...(withSan ? ['-extfile', ext] : []));
    // PKCS#8 private key then the certificate: a PEM keystore for Kafka (KIP-651) and for flume-ts
    ossl('pkcs8', '-topk8', '-nocrypt', '-in', f(`${name}.key.pem`), '-out', f(`${name}.p8`));
    fs.writeFileSync(f(`${name}.pem`), fs.readFileSync(f(`${name}.p8`), 'utf8') + fs.readFileSync(f(`${name}.crt`), 'utf8'));
  }
  const clientP12Password = 'client-P12-secret';
  ossl(
    'pkcs12',
    '-export',
    '-in',
    f('client.crt'),
    '-inkey',
    f('client.key.pem'),
    '-out',
    f('client.p12'),
    '-passout',
    `pass:${clientP12Password}`,
  );
  // a certificates-only PKCS12 truststore, as keytool -importcert -storetype PKCS12 makes
  ossl('pkcs12', '-export', '-nokeys', '-in', f('ca.pem'), '-out', f('ca.p12'), '-passout', `pass:${clientP12Password}`);
  return {
    caPem: f('ca.pem'),
    caP12: f('ca.p12'),
    brokerPem: f('broker.pem'),
    clientPem: f('client.pem'),
    clientP12: f('client.p12'),
    clientP12Password,
    clientPrincipal: 'User:CN=flume-client',
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
