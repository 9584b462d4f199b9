/**
 * Maps Flume's Kafka properties (`kafka.bootstrap.servers`, `kafka.consumer.*`, `kafka.producer.*`, which Flume hands
 * to the Java client unchanged) to kafkajs options. Every Java client property we know is either mapped, accepted
 * silently because it has no meaning here (Flume forces it, or it is the default), or reported as ignored with a
 * warning; unknown keys are warned about too. Problems that would change what is delivered or where (JKS stores,
 * GSSAPI, a bad security.protocol) are errors.
 *
 * The mapping is pure (no file access) so `flume-ts validate` can show it; `loadTls` reads the PEM/PKCS12 files when
 * the component starts. Secret values (passwords, sasl.jaas.config) never appear in messages.
 */
import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { CompressionTypes, ConsumerConfig, KafkaConfig, ProducerConfig, RetryOptions, SASLOptions } from 'kafkajs';

/** kafkajs's CompressionTypes values (its enum), so that mapping a config does not load kafkajs. */
const COMPRESSION: Record<string, CompressionTypes> = {
  none: 0 as CompressionTypes,
  gzip: 1 as CompressionTypes,
  snappy: 2 as CompressionTypes,
  lz4: 3 as CompressionTypes,
  zstd: 4 as CompressionTypes,
};
import { RangeAssigner } from './range-assignor.js';
import { FlumeError } from '../../core/errors.js';
import { pkcs12Certificates } from '../rpc/tls.js';
import { systemProperty } from '../../core/system-properties.js';
import type { KafkaKerberosSpec } from './gssapi.js';

export type Role = 'consumer' | 'producer';

/** Properties whose values are secrets: never printed, marked `secret: true` in the specs. */
export const SECRET_CLIENT_KEYS = [
  'sasl.jaas.config',
  'ssl.keystore.password',
  'ssl.truststore.password',
  'ssl.key.password',
  'ssl.keystore.key',
] as const;

export function isSecretKey(key: string): boolean {
  return SECRET_CLIENT_KEYS.some((s) => key === s || key.endsWith('.' + s));
}

export interface TlsSpec {
  /** Hostname verification (Java's ssl.endpoint.identification.algorithm=https). */
  verifyHostname: boolean;
  truststore?: { location?: string; type: string; inline?: string; password?: string };
  keystore?: { location?: string; type: string; password?: string; inlineKey?: string; inlineChain?: string };
  keyPassword?: string;
}

export interface ClientMapping {
  kafka: Omit<KafkaConfig, 'logCreator' | 'logLevel' | 'ssl'>;
  tls?: TlsSpec;
  consumer: Omit<ConsumerConfig, 'groupId'> & { fromBeginning: boolean };
  producer: ProducerConfig & { acks: number; timeout: number; compression: CompressionTypes };
  /** Properties accepted but without effect here, with the reason (warnings). */
  ignored: Array<{ key: string; reason: string }>;
  /** Settings we cannot honour (errors: the component is not created). */
  errors: Array<{ key: string; message: string }>;
  /** SASL GSSAPI: the keytab login and the broker's service name (kafkaClient installs the mechanism). */
  kerberos?: KafkaKerberosSpec;
  /** The principal the broker will see (for authorization messages; never a secret). */
  principal: string;
  /** The last authorization refusal the client logged (set by kafkaClient's log hook). */
  recentAuthError?: { text: string; at: number };
}

export interface MapOptions {
  role: Role;
  bootstrapServers: string;
  /** Sub-properties of kafka.consumer. / kafka.producer. */
  props: Readonly<Record<string, string>>;
  /** The key prefix for messages (`kafka.consumer.`). */
  prefix: string;
  /** Flume's default acks for this component (sink "1", channel "all"). */
  defaultAcks?: string;
  /** Flume's default auto.offset.reset (source: Java's "latest", channel: "earliest"). */
  defaultAutoOffsetReset?: string;
  /** The source's batchDurationMillis, the longest a fetch waits (Flume polls with it). */
  maxWaitMs?: number;
}

const DEFAULT_SERDE = new Set([
  'org.apache.kafka.common.serialization.StringSerializer',
  'org.apache.kafka.common.serialization.ByteArraySerializer',
  'org.apache.kafka.common.serialization.StringDeserializer',
  'org.apache.kafka.common.serialization.ByteArrayDeserializer',
]);

/** Accepted without a warning: no effect, but nothing a user would miss (Flume forces them or they are tuning knobs
 * of the Java client's own resources). */
const SILENT = new Set([
  'bootstrap.servers', // kafka.bootstrap.servers wins, as in Flume (it is put after the passthrough)
  'enable.auto.commit', // forced to false, as in Flume
  'auto.commit.interval.ms',
  'connections.max.idle.ms',
  'receive.buffer.bytes',
  'send.buffer.bytes',
  'reconnect.backoff.ms',
  'reconnect.backoff.max.ms',
  'socket.connection.setup.timeout.max.ms',
  'client.dns.lookup',
  'metric.reporters',
  'metrics.num.samples',
  'metrics.recording.level',
  'metrics.sample.window.ms',
  'check.crcs',
  'exclude.internal.topics',
  'default.api.timeout.ms',
  'ssl.protocol',
  'ssl.enabled.protocols',
  'ssl.keymanager.algorithm',
  'ssl.trustmanager.algorithm',
  'ssl.secure.random.implementation',
  'ssl.provider',
  'ssl.engine.factory.class',
]);

const PRODUCER_ONLY = new Set([
  'batch.size',
  'linger.ms',
  'buffer.memory',
  'max.block.ms',
  'max.request.size',
  'delivery.timeout.ms',
  'partitioner.class',
  'partitioner.ignore.keys',
  'partitioner.adaptive.partitioning.enable',
  'partitioner.availability.timeout.ms',
  'transactional.id',
  'transaction.timeout.ms',
]);
const CONSUMER_ONLY = new Set(['max.poll.records', 'group.instance.id', 'partition.assignment.strategy']);

const IGNORED: Record<string, string> = {
  'batch.size': 'each Flume transaction is sent as one kafkajs batch',
  'linger.ms': 'each Flume transaction is sent at once',
  'buffer.memory': 'kafkajs keeps no send buffer beyond the transaction',
  'max.block.ms': 'kafkajs does not block on a send buffer',
  'max.request.size': 'kafkajs does not split or limit requests; the broker enforces message.max.bytes',
  'delivery.timeout.ms': 'kafkajs retries a send `retries` times (request.timeout.ms each); a failed send rolls the Flume transaction back',
  'partitioner.class': 'kafkajs uses the Java-compatible murmur2 partitioner for keyed records',
  'partitioner.ignore.keys': 'keyed records always use murmur2',
  'partitioner.adaptive.partitioning.enable': 'not supported by kafkajs',
  'partitioner.availability.timeout.ms': 'not supported by kafkajs',
  'transactional.id': 'Kafka transactions are not used (Flume does not use them either)',
  'transaction.timeout.ms': 'Kafka transactions are not used',
  'interceptor.classes': 'Java interceptors cannot run in Node.js',
  'max.poll.records': 'batchSize bounds each Flume batch',
  'group.instance.id': 'static group membership is not supported by kafkajs',
  'partition.assignment.strategy':
    'flume-ts always uses Java\'s default RangeAssignor (protocol "range"), so it can share a group with Java consumers that have range in their list',
  'ssl.cipher.suites': 'Java cipher-suite names are not OpenSSL names; Node.js defaults are used',
  'sasl.login.callback.handler.class': 'Java classes cannot run in Node.js',
  'sasl.client.callback.handler.class': 'Java classes cannot run in Node.js',
  'sasl.login.class': 'Java classes cannot run in Node.js',
  'sasl.kerberos.kinit.cmd': 'the keytab login gets and renews tickets through MIT Kerberos (libkrb5), not kinit',
  'sasl.kerberos.ticket.renew.window.factor': 'libkrb5 gets a new ticket from the keytab after half its lifetime',
  'sasl.kerberos.ticket.renew.jitter': 'libkrb5 gets a new ticket from the keytab after half its lifetime',
  'sasl.kerberos.min.time.before.relogin': 'libkrb5 gets a new ticket from the keytab after half its lifetime',
};

function int(key: string, v: string, errors: ClientMapping['errors']): number | undefined {
  if (!/^[+-]?\d+$/.test(v)) {
    errors.push({ key, message: `expected an integer, got "${v}"` });
    return undefined;
  }
  return Number(v);
}

export function parseAcks(v: string): number | undefined {
  const s = v.trim().toLowerCase();
  if (s === 'all' || s === '-1') return -1;
  if (s === '0') return 0;
  if (s === '1') return 1;
  return undefined;
}

/** Java's JAAS line: `<LoginModule> <flag> key="value" key2=value2;` → module and options. */
export function parseJaas(text: string): { module: string; options: Record<string, string> } | undefined {
  const s = text.trim();
  const m = /^([\w.$]+)\s+(required|requisite|sufficient|optional)\b/i.exec(s);
  if (!m) return undefined;
  const options: Record<string, string> = {};
  const re = /([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))/g;
  const rest = s.slice(m[0].length);
  let g: RegExpExecArray | null;
  while ((g = re.exec(rest))) options[g[1]!] = g[2] !== undefined ? g[2].replace(/\\(.)/g, '$1') : g[3]!;
  return { module: m[1]!, options };
}

/**
 * Java's JAAS file (-Djava.security.auth.login.config): the first login module of section `name`, or a message saying
 * why not (file unreadable, no such section). Comments (Java's // and /* *\/) are skipped.
 */
export function jaasFileSection(file: string, name: string): ReturnType<typeof parseJaas> | string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return `cannot read the JAAS file ${file} (-Djava.security.auth.login.config): ${(e as Error).message}`;
  }
  text = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const re = /([\w.-]+)\s*\{([\s\S]*?)\}\s*;/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) if (m[1] === name) return parseJaas(m[2]!);
  return `the JAAS file ${file} (-Djava.security.auth.login.config) has no ${name} section`;
}

/** The mapping being built for one client, shared by the key mappers. */
interface MapState {
  readonly o: MapOptions;
  readonly props: Record<string, string>;
  readonly K: (k: string) => string;
  readonly errors: ClientMapping['errors'];
  readonly ignored: ClientMapping['ignored'];
  readonly kafka: ClientMapping['kafka'];
  readonly retry: RetryOptions;
  readonly consumer: ClientMapping['consumer'];
  readonly producer: ClientMapping['producer'];
  protocol: string;
  mechanism?: string;
  jaas?: string;
  serviceName?: string;
  kerberos?: KafkaKerberosSpec;
  readonly tls: TlsSpec;
  disableFqdn: boolean;
}

/**
 * Builds kafkajs options from Flume's properties for one client (consumer or producer).
 */
export function mapClient(o: MapOptions): ClientMapping {
  const { props, prefix } = o;
  const errors: ClientMapping['errors'] = [];
  const ignored: ClientMapping['ignored'] = [];
  const kafka: ClientMapping['kafka'] = {
    brokers: o.bootstrapServers
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    clientId: 'flume-ts',
  };
  const retry: RetryOptions = {};
  // Java client defaults where they differ from kafkajs'.
  const consumer: ClientMapping['consumer'] = {
    fromBeginning: (o.defaultAutoOffsetReset ?? 'latest') === 'earliest',
    sessionTimeout: 45_000,
    heartbeatInterval: 3_000,
    rebalanceTimeout: 300_000,
    maxBytes: 52_428_800,
    maxBytesPerPartition: 1_048_576,
    maxWaitTimeInMs: o.maxWaitMs !== undefined ? Math.min(500, o.maxWaitMs) : 500,
    readUncommitted: true,
    // Java's default assignor, with its protocol name: flume-ts and Java consumers can share a group
    partitionAssigners: [RangeAssigner],
  };
  const producer: ClientMapping['producer'] = {
    acks: parseAcks(o.defaultAcks ?? '1') ?? 1,
    timeout: 30_000,
    compression: COMPRESSION.none!,
  };

  const K = (k: string) => prefix + k;
  const s: MapState = {
    o,
    props,
    K,
    errors,
    ignored,
    kafka,
    retry,
    consumer,
    producer,
    protocol: 'PLAINTEXT',
    tls: { verifyHostname: true },
    disableFqdn: false,
  };
  for (const [key, value] of Object.entries(props)) {
    const v = value.trim();
    if (SILENT.has(key)) {
      if (key === 'enable.auto.commit' && v.toLowerCase() === 'true') {
        ignored.push({
          key: K(key),
          reason: 'offsets are committed after each channel transaction, as in Flume (auto-commit is forced off)',
        });
      }
      continue;
    }
    if (
      key === 'partition.assignment.strategy' &&
      o.role === 'consumer' &&
      v.split(',').some((c) => c.trim() === 'org.apache.kafka.clients.consumer.RangeAssignor')
    ) {
      continue; // range is what flume-ts uses
    }
    if (key in IGNORED) {
      const misplaced = (o.role === 'consumer' && PRODUCER_ONLY.has(key)) || (o.role === 'producer' && CONSUMER_ONLY.has(key));
      ignored.push({
        key: K(key),
        reason: misplaced ? `a Kafka ${o.role === 'consumer' ? 'producer' : 'consumer'} property, not a ${o.role} one` : IGNORED[key]!,
      });
      continue;
    }
    if (mapCommonKey(s, key, v)) continue;
    if (o.role === 'consumer' ? mapConsumerKey(s, key, v) : mapProducerKey(s, key, v)) continue;
    ignored.push({ key: K(key), reason: `not a Kafka ${o.role} property flume-ts knows` });
  }
  if (Object.keys(retry).length > 0) kafka.retry = retry;
  mapSasl(s);
  const tlsOut = mapTls(s);
  const principal = s.kerberos
    ? `User:${s.kerberos.principal.split(/[/@]/)[0]}`
    : s.kafka.sasl
      ? `User:${(s.kafka.sasl as { username?: string }).username ?? '?'}`
      : tlsOut
        ? 'User:<subject of the client certificate>'
        : 'User:ANONYMOUS';
  return { kafka, tls: tlsOut, consumer, producer, ignored, errors, principal, ...(s.kerberos ? { kerberos: s.kerberos } : {}) };
}

/** Keys every client role shares (identity, security, timeouts, serdes); false when `key` is not one. */
function mapCommonKey(s: MapState, key: string, v: string): boolean {
  switch (key) {
    case 'client.id':
      s.kafka.clientId = v;
      return true;
    case 'security.protocol':
      s.protocol = v.toUpperCase();
      if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(s.protocol)) {
        s.errors.push({ key: s.K(key), message: `"${v}" is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL` });
      }
      return true;
    case 'sasl.mechanism':
      s.mechanism = v.toUpperCase();
      return true;
    case 'sasl.jaas.config':
      s.jaas = v;
      return true;
    case 'sasl.kerberos.service.name':
      s.serviceName = v;
      return true;
    case 'ssl.endpoint.identification.algorithm':
      s.tls.verifyHostname = v.toLowerCase() === 'https';
      return true;
    case 'ssl.disableTLSHostnameVerification':
      s.disableFqdn = v.toLowerCase() === 'true';
      return true;
    case 'ssl.truststore.location':
      s.tls.truststore = { ...(s.tls.truststore ?? { type: '' }), location: v };
      return true;
    case 'ssl.truststore.type':
      s.tls.truststore = { ...(s.tls.truststore ?? {}), type: v.toUpperCase() };
      return true;
    case 'ssl.truststore.certificates':
      s.tls.truststore = { ...(s.tls.truststore ?? { type: 'PEM' }), inline: v };
      return true;
    case 'ssl.truststore.password':
      s.tls.truststore = { ...(s.tls.truststore ?? { type: '' }), password: v }; // PKCS12 truststores (PEM needs none)
      return true;
    case 'ssl.keystore.location':
      s.tls.keystore = { ...(s.tls.keystore ?? { type: '' }), location: v };
      return true;
    case 'ssl.keystore.type':
      s.tls.keystore = { ...(s.tls.keystore ?? {}), type: v.toUpperCase() };
      return true;
    case 'ssl.keystore.password':
      s.tls.keystore = { ...(s.tls.keystore ?? { type: '' }), password: v };
      return true;
    case 'ssl.keystore.key':
      s.tls.keystore = { ...(s.tls.keystore ?? { type: 'PEM' }), inlineKey: v };
      return true;
    case 'ssl.keystore.certificate.chain':
      s.tls.keystore = { ...(s.tls.keystore ?? { type: 'PEM' }), inlineChain: v };
      return true;
    case 'ssl.key.password':
      s.tls.keyPassword = v;
      return true;
    case 'request.timeout.ms': {
      const n = int(s.K(key), v, s.errors);
      if (n !== undefined) {
        s.kafka.requestTimeout = n;
        s.producer.timeout = n;
      }
      return true;
    }
    case 'socket.connection.setup.timeout.ms': {
      const n = int(s.K(key), v, s.errors);
      if (n !== undefined) s.kafka.connectionTimeout = n;
      return true;
    }
    case 'retry.backoff.ms': {
      const n = int(s.K(key), v, s.errors);
      if (n !== undefined) s.retry.initialRetryTime = n;
      return true;
    }
    case 'retry.backoff.max.ms': {
      const n = int(s.K(key), v, s.errors);
      if (n !== undefined) s.retry.maxRetryTime = n;
      return true;
    }
    case 'metadata.max.age.ms': {
      const n = int(s.K(key), v, s.errors);
      if (n !== undefined) {
        s.consumer.metadataMaxAge = n;
        s.producer.metadataMaxAge = n;
      }
      return true;
    }
    case 'key.serializer':
    case 'value.serializer':
    case 'key.deserializer':
    case 'value.deserializer':
      if (!DEFAULT_SERDE.has(v))
        s.ignored.push({
          key: s.K(key),
          reason: "keys are strings and values bytes, as with Flume's defaults; Java serializers cannot run in Node.js",
        });
      return true;
    default:
      return false;
  }
}

/** Consumer-only keys; false when `key` is not one. */
function mapConsumerKey(s: MapState, key: string, v: string): boolean {
  const num = (set: (n: number) => void) => {
    const n = int(s.K(key), v, s.errors);
    if (n !== undefined) set(n);
    return true;
  };
  switch (key) {
    case 'group.id':
      return true; // read by the component (kafka.consumer.group.id)
    case 'auto.offset.reset': {
      const lv = v.toLowerCase();
      if (lv === 'earliest' || lv === 'latest') s.consumer.fromBeginning = lv === 'earliest';
      else s.errors.push({ key: s.K(key), message: `"${v}" is not supported; use earliest or latest` });
      return true;
    }
    case 'session.timeout.ms':
      return num((n) => (s.consumer.sessionTimeout = n));
    case 'heartbeat.interval.ms':
      return num((n) => (s.consumer.heartbeatInterval = n));
    case 'max.poll.interval.ms':
      return num((n) => (s.consumer.rebalanceTimeout = n));
    case 'fetch.min.bytes':
      return num((n) => (s.consumer.minBytes = n));
    case 'fetch.max.bytes':
      return num((n) => (s.consumer.maxBytes = n));
    case 'max.partition.fetch.bytes':
      return num((n) => (s.consumer.maxBytesPerPartition = n));
    case 'fetch.max.wait.ms':
      return num((n) => (s.consumer.maxWaitTimeInMs = n));
    case 'isolation.level': {
      const lv = v.toLowerCase();
      if (lv === 'read_committed' || lv === 'read_uncommitted') s.consumer.readUncommitted = lv === 'read_uncommitted';
      else s.errors.push({ key: s.K(key), message: `"${v}" is not read_committed or read_uncommitted` });
      return true;
    }
    case 'client.rack':
      s.consumer.rackId = v;
      return true;
    case 'allow.auto.create.topics':
      s.consumer.allowAutoTopicCreation = v.toLowerCase() === 'true';
      return true;
    default:
      return false;
  }
}

/** Producer-only keys; false when `key` is not one. */
function mapProducerKey(s: MapState, key: string, v: string): boolean {
  switch (key) {
    case 'acks': {
      const a = parseAcks(v);
      if (a === undefined) s.errors.push({ key: s.K(key), message: `"${v}" is not one of 0, 1, -1, all` });
      else s.producer.acks = a;
      return true;
    }
    case 'compression.type': {
      const c = COMPRESSION[v.toLowerCase()];
      if (c === undefined) s.errors.push({ key: s.K(key), message: `"${v}" is not one of none, gzip, snappy, lz4, zstd` });
      else s.producer.compression = c;
      return true;
    }
    case 'retries': {
      const n = int(s.K(key), v, s.errors);
      // Java's default is MAX_INT within delivery.timeout.ms; kafkajs would s.retry forever, so cap it: a failed
      // send rolls the Flume transaction back and the sink runner tries again.
      if (n !== undefined) s.retry.retries = Math.min(n, 30);
      return true;
    }
    case 'max.in.flight.requests.per.connection': {
      const n = int(s.K(key), v, s.errors);
      if (n !== undefined) s.producer.maxInFlightRequests = n;
      return true;
    }
    case 'enable.idempotence':
      if (v.toLowerCase() === 'true') {
        if (s.producer.acks !== -1 && s.props['acks'] !== undefined && parseAcks(s.props['acks']) !== -1) {
          s.errors.push({ key: s.K(key), message: 'enable.idempotence=true needs acks=all' });
        } else {
          s.producer.idempotent = true;
          s.producer.acks = -1;
        }
      }
      return true;
    default:
      return false;
  }
}

/** security.protocol SASL_*: sasl.mechanism and the JAAS username and password, or the Kerberos keytab login. */
function mapSasl(s: MapState): void {
  const sasl = s.protocol === 'SASL_PLAINTEXT' || s.protocol === 'SASL_SSL';
  if (sasl) {
    // Java's default sasl.mechanism is GSSAPI
    const mech = s.mechanism ?? 'GSSAPI';
    if (mech === 'GSSAPI') mapGssapi(s);
    else if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(mech)) {
      s.errors.push({ key: s.K('sasl.mechanism'), message: `${mech} is not supported; use GSSAPI, PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512` });
    } else if (s.jaas === undefined) {
      s.errors.push({ key: s.K('sasl.jaas.config'), message: `${mech} needs ${s.K('sasl.jaas.config')} with username and password` });
    } else {
      mapPassword(s, mech);
    }
  } else if (s.mechanism !== undefined || s.jaas !== undefined) {
    s.ignored.push({
      key: s.K(s.jaas !== undefined ? 'sasl.jaas.config' : 'sasl.mechanism'),
      reason: `security.protocol is ${s.protocol}, so SASL is not used`,
    });
  }
}

/** PLAIN and SCRAM: username and password from the JAAS line. */
function mapPassword(s: MapState, mech: string): void {
  const j = parseJaas(s.jaas ?? '');
  const expected = mech === 'PLAIN' ? 'PlainLoginModule' : 'ScramLoginModule';
  if (!j || j.options.username === undefined || j.options.password === undefined) {
    s.errors.push({
      key: s.K('sasl.jaas.config'),
      message: `cannot read username and password from it (expected: org.apache.kafka.common.security.${mech === 'PLAIN' ? 'plain' : 'scram'}.${expected} required username="…" password="…";)`,
    });
    return;
  }
  if (!j.module.endsWith(expected)) {
    s.errors.push({
      key: s.K('sasl.jaas.config'),
      message: `login module ${j.module} does not match sasl.mechanism ${mech} (expected …${expected})`,
    });
  }
  const m = mech.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
  s.kafka.sasl = { mechanism: m, username: j.options.username, password: j.options.password } as SASLOptions;
}

const KRB5_JAAS =
  'com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="/path/flume.keytab" principal="flume/host@REALM";';

/**
 * GSSAPI: Krb5LoginModule with useKeyTab=true, keyTab and principal (the keytab login); the service name from
 * sasl.kerberos.service.name or the JAAS option serviceName, as Java's client reads it (no default: Java refuses too).
 */
function mapGssapi(s: MapState): void {
  const key = s.K('sasl.jaas.config');
  let j: ReturnType<typeof parseJaas>;
  if (s.jaas !== undefined) j = parseJaas(s.jaas);
  else {
    const file = systemProperty('java.security.auth.login.config');
    if (file === undefined) {
      s.errors.push({
        key,
        message: `GSSAPI needs ${key} (or -Djava.security.auth.login.config with a KafkaClient section) with a keytab login: ${KRB5_JAAS}`,
      });
      return;
    }
    const r = jaasFileSection(file, 'KafkaClient');
    if (typeof r === 'string') {
      s.errors.push({ key, message: r });
      return;
    }
    j = r;
  }
  if (!j || !/Krb5LoginModule$/.test(j.module)) {
    s.errors.push({ key, message: `GSSAPI needs com.sun.security.auth.module.Krb5LoginModule, e.g. ${KRB5_JAAS}` });
    return;
  }
  const o = j.options;
  if ((o.useKeyTab ?? '').toLowerCase() !== 'true' || !o.keyTab || !o.principal) {
    s.errors.push({
      key,
      message:
        'GSSAPI logs in from a keytab only: set useKeyTab=true, keyTab="…" and principal="…" ' +
        '(a ticket cache, useTicketCache=true, or a password prompt is not supported)',
    });
    return;
  }
  const serviceName = s.serviceName ?? o.serviceName;
  if (!serviceName) {
    s.errors.push({
      key: s.K('sasl.kerberos.service.name'),
      message: "GSSAPI needs the broker's Kerberos service name (the first part of its principal, usually kafka)",
    });
    return;
  }
  s.kerberos = { principal: o.principal, keytab: o.keyTab, serviceName };
}

/** security.protocol SSL / SASL_SSL: the truststore and keystore (PEM or PKCS12). */
function mapTls(s: MapState): TlsSpec | undefined {
  const ssl = s.protocol === 'SSL' || s.protocol === 'SASL_SSL';
  let tlsOut: TlsSpec | undefined;
  if (ssl) {
    if (s.disableFqdn) s.tls.verifyHostname = false;
    for (const [store, spec] of [
      ['truststore', s.tls.truststore],
      ['keystore', s.tls.keystore],
    ] as const) {
      if (!spec) continue;
      const type = spec.type || (spec.location ? '' : 'PEM');
      if (type === 'JKS') {
        s.errors.push({
          key: s.K(`ssl.${store}.type`),
          message:
            `JKS ${store}s cannot be read by Node.js; convert it: ` +
            (store === 'truststore'
              ? 'keytool -exportcert -rfc -alias <alias> -keystore truststore.jks > ca.pem, then ssl.truststore.type=PEM and ssl.truststore.location=ca.pem'
              : 'keytool -importkeystore -srckeystore keystore.jks -destkeystore keystore.p12 -deststoretype PKCS12, then ssl.keystore.type=PKCS12'),
        });
      } else if (type !== '' && type !== 'PEM' && type !== 'PKCS12') {
        s.errors.push({ key: s.K(`ssl.${store}.type`), message: `"${spec.type}" is not supported; use PEM or PKCS12` });
      }
    }
    tlsOut = s.tls;
  } else if (s.tls.truststore || s.tls.keystore) {
    s.ignored.push({ key: s.K('ssl.*'), reason: `security.protocol is ${s.protocol}, so TLS is not used` });
  }
  return tlsOut;
}

/** Java's default store type is JKS; sniff the file when the type is not given. */
function sniff(buf: Buffer): 'PEM' | 'JKS' | 'PKCS12' {
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0xfeedfeed) return 'JKS';
  if (buf.includes('-----BEGIN')) return 'PEM';
  return 'PKCS12';
}

/** Reads the stores named in a TlsSpec into Node's TLS options. Throws a clear error for unreadable stores. */
export function loadTls(spec: TlsSpec, where: string): ConnectionOptions {
  const out: ConnectionOptions = {};
  if (!spec.verifyHostname) out.checkServerIdentity = () => undefined;
  const read = (file: string, what: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new FlumeError('FLUME_TLS_CONFIG', `${where}: cannot read ${what} ${file}: ${(err as Error).message}`);
    }
  };
  const ts = spec.truststore;
  if (ts) {
    if (ts.inline) out.ca = ts.inline;
    else if (ts.location) {
      const buf = read(ts.location, 'ssl.truststore.location');
      const type = ts.type || sniff(buf);
      if (type === 'JKS')
        throw new FlumeError(
          'FLUME_TLS_CONFIG',
          `${where}: ssl.truststore.location ${ts.location} is a JKS truststore, which Node.js cannot read; export its CA certificates to PEM (keytool -exportcert -rfc -alias <alias> -keystore ${ts.location} > ca.pem) or convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12)`,
        );
      // PKCS12 truststores hold certificates only, which Node's pfx cannot load: read through openssl, as the rpc TLS does
      out.ca = type === 'PKCS12' ? pkcs12Certificates(ts.location, ts.password, where) : buf;
    }
  }
  const ks = spec.keystore;
  if (ks) {
    if (ks.inlineKey || ks.inlineChain) {
      if (ks.inlineKey) out.key = ks.inlineKey;
      if (ks.inlineChain) out.cert = ks.inlineChain;
      if (spec.keyPassword) out.passphrase = spec.keyPassword;
    } else if (ks.location) {
      const buf = read(ks.location, 'ssl.keystore.location');
      const type = ks.type || sniff(buf);
      if (type === 'JKS')
        throw new FlumeError(
          'FLUME_TLS_CONFIG',
          `${where}: ssl.keystore.location ${ks.location} is a JKS keystore, which Node.js cannot read; convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12)`,
        );
      if (type === 'PKCS12') {
        out.pfx = buf;
        if (ks.password !== undefined) out.passphrase = ks.password;
      } else {
        // A PEM keystore file holds the private key and the certificate chain.
        out.key = buf;
        out.cert = buf;
        if (spec.keyPassword !== undefined) out.passphrase = spec.keyPassword;
      }
    }
  }
  return out;
}

/** kafkajs KafkaConfig.ssl from a mapping: false for plaintext, TLS options otherwise. */
export function sslOption(m: ClientMapping, where: string): ConnectionOptions | undefined {
  return m.tls ? loadTls(m.tls, where) : undefined;
}
