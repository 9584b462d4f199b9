import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompressionTypes } from 'kafkajs';
import { isSecretKey, loadTls, mapClient, parseJaas } from '../../../src/components/kafka/client-config.js';
import { kafkaSink } from '../../../src/components/sinks/kafka.js';
import { kafkaSource } from '../../../src/components/sources/kafka.js';
import { kafkaChannel } from '../../../src/components/channels/kafka.js';
import { parseComponent } from '../../../src/config/component-props.js';
import { propMap } from '../../support/context.js';
import { setSystemProperties } from '../../../src/core/system-properties.js';

const map = (role: 'consumer' | 'producer', props: Record<string, string>, extra = {}) =>
  mapClient({ role, bootstrapServers: 'h1:9092, h2:9093', props, prefix: `kafka.${role}.`, ...extra });

describe('Kafka client property mapping', () => {
  it('uses Java client defaults and kafka.bootstrap.servers', () => {
    const m = map('consumer', {});
    expect(m.kafka.brokers).toEqual(['h1:9092', 'h2:9093']);
    expect(m.consumer).toMatchObject({
      fromBeginning: false,
      sessionTimeout: 45000,
      heartbeatInterval: 3000,
      readUncommitted: true,
      maxWaitTimeInMs: 500,
    });
    expect(m.tls).toBeUndefined();
    expect(m.kafka.sasl).toBeUndefined();
    expect(m.errors).toEqual([]);
    expect(m.ignored).toEqual([]);
  });

  it('maps consumer properties', () => {
    const m = map('consumer', {
      'auto.offset.reset': 'earliest',
      'session.timeout.ms': '10000',
      'heartbeat.interval.ms': '500',
      'max.poll.interval.ms': '60000',
      'fetch.min.bytes': '10',
      'fetch.max.bytes': '1000000',
      'max.partition.fetch.bytes': '2000',
      'fetch.max.wait.ms': '100',
      'isolation.level': 'read_committed',
      'client.rack': 'r1',
      'client.id': 'me',
      'request.timeout.ms': '5000',
      'retry.backoff.ms': '50',
      'enable.auto.commit': 'false',
      'group.id': 'g',
      'key.deserializer': 'org.apache.kafka.common.serialization.StringDeserializer',
    });
    expect(m.errors).toEqual([]);
    expect(m.ignored).toEqual([]);
    expect(m.consumer).toMatchObject({
      fromBeginning: true,
      sessionTimeout: 10000,
      heartbeatInterval: 500,
      rebalanceTimeout: 60000,
      minBytes: 10,
      maxBytes: 1000000,
      maxBytesPerPartition: 2000,
      maxWaitTimeInMs: 100,
      readUncommitted: false,
      rackId: 'r1',
    });
    expect(m.kafka).toMatchObject({ clientId: 'me', requestTimeout: 5000, retry: { initialRetryTime: 50 } });
  });

  it('maps producer properties and acks', () => {
    expect(map('producer', {}, { defaultAcks: '1' }).producer.acks).toBe(1);
    expect(map('producer', {}, { defaultAcks: 'all' }).producer.acks).toBe(-1);
    const m = map('producer', {
      acks: '-1',
      'compression.type': 'gzip',
      retries: '2147483647',
      'max.in.flight.requests.per.connection': '1',
    });
    expect(m.producer).toMatchObject({ acks: -1, compression: CompressionTypes.GZIP, maxInFlightRequests: 1 });
    expect(m.kafka.retry?.retries).toBe(30);
    expect(map('producer', { acks: '0' }).producer.acks).toBe(0);
    expect(map('producer', { acks: 'two' }).errors[0]!.message).toMatch(/not one of 0, 1, -1, all/);
  });

  it('warns about Java properties that have no effect, and unknown ones', () => {
    const m = map('producer', {
      'linger.ms': '5',
      'batch.size': '16384',
      'no.such.thing': 'x',
      'value.serializer': 'com.acme.Ser',
    });
    expect(m.errors).toEqual([]);
    expect(m.ignored.map((i) => i.key).sort()).toEqual([
      'kafka.producer.batch.size',
      'kafka.producer.linger.ms',
      'kafka.producer.no.such.thing',
      'kafka.producer.value.serializer',
    ]);
    expect(m.producer.compression).toBe(CompressionTypes.None);
    for (const [name, type] of [
      ['snappy', CompressionTypes.Snappy],
      ['LZ4', CompressionTypes.LZ4],
      ['zstd', CompressionTypes.ZSTD],
      ['none', CompressionTypes.None],
    ] as const) {
      const cm = map('producer', { 'compression.type': name });
      expect(cm.errors).toEqual([]);
      expect(cm.ignored).toEqual([]);
      expect(cm.producer.compression).toBe(type);
    }
    // never a silent fallback: an unknown codec is a configure error
    expect(map('producer', { 'compression.type': 'brotli' }).errors[0]!.message).toMatch(/not one of none, gzip, snappy, lz4, zstd/);
    const c = map('consumer', {
      'enable.auto.commit': 'true',
      'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RoundRobinAssignor',
      'auto.offset.reset': 'none',
    });
    expect(
      map('consumer', {
        'partition.assignment.strategy':
          'org.apache.kafka.clients.consumer.CooperativeStickyAssignor, org.apache.kafka.clients.consumer.RangeAssignor',
      }).ignored,
    ).toEqual([]);
    expect(c.ignored.map((i) => i.key)).toEqual(['kafka.consumer.enable.auto.commit', 'kafka.consumer.partition.assignment.strategy']);
    expect(c.errors.map((e) => e.key)).toEqual(['kafka.consumer.auto.offset.reset']);
  });

  it('reads SASL PLAIN and SCRAM credentials from sasl.jaas.config', () => {
    const plain = map('producer', {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr\\"et";',
    });
    expect(plain.errors).toEqual([]);
    expect(plain.kafka.sasl).toEqual({ mechanism: 'plain', username: 'alice', password: 's3cr"et' });
    expect(plain.tls).toBeUndefined();
    const scram = map('consumer', {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'ssl.truststore.location': '/x/ca.pem',
      'ssl.truststore.type': 'PEM',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required\n username=bob\n password="pw";',
    });
    expect(scram.errors).toEqual([]);
    expect(scram.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'bob', password: 'pw' });
    expect(scram.tls).toEqual({ verifyHostname: true, truststore: { type: 'PEM', location: '/x/ca.pem' } });
  });

  it('maps GSSAPI: Krb5LoginModule keyTab and principal, sasl.kerberos.service.name (or the JAAS serviceName)', () => {
    const jaas =
      'com.sun.security.auth.module.Krb5LoginModule required\n useKeyTab=true storeKey=true\n keyTab="/etc/k/flume.keytab"\n principal="flume/h1@EX.COM";';
    const g = map('producer', {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'GSSAPI',
      'sasl.kerberos.service.name': 'kafka',
      'sasl.jaas.config': jaas,
    });
    expect(g.errors).toEqual([]);
    expect(g.kerberos).toEqual({ principal: 'flume/h1@EX.COM', keytab: '/etc/k/flume.keytab', serviceName: 'kafka' });
    expect(g.principal).toBe('User:flume');
    expect(g.kafka.sasl).toBeUndefined();
    // Java's default mechanism is GSSAPI; the service name may come from the JAAS options
    const d = map('consumer', { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.jaas.config': jaas.replace(';', ' serviceName="kfk";') });
    expect(d.errors).toEqual([]);
    expect(d.kerberos?.serviceName).toBe('kfk');
    const noService = map('consumer', { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.jaas.config': jaas });
    expect(noService.errors[0]).toMatchObject({ key: 'kafka.consumer.sasl.kerberos.service.name' });
    const cache = map('consumer', {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.kerberos.service.name': 'kafka',
      'sasl.jaas.config': 'com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true;',
    });
    expect(cache.errors[0]!.message).toMatch(/keytab only/);
  });

  it('GSSAPI without sasl.jaas.config reads the KafkaClient section of -Djava.security.auth.login.config', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-jaas-'));
    const file = path.join(dir, 'jaas.conf');
    fs.writeFileSync(
      file,
      '// the agent\nClient {\n  com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="/zk.keytab" principal="zk@R";\n};\n' +
        '/* Kafka */ KafkaClient {\n  com.sun.security.auth.module.Krb5LoginModule required\n  useKeyTab=true\n  storeKey=true\n' +
        '  keyTab="/etc/k/flume.keytab"\n  principal="flume@EX.COM"\n  serviceName="kafka";\n};\n',
    );
    try {
      setSystemProperties({ 'java.security.auth.login.config': file });
      const g = map('consumer', { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'GSSAPI' });
      expect(g.errors).toEqual([]);
      expect(g.kerberos).toEqual({ principal: 'flume@EX.COM', keytab: '/etc/k/flume.keytab', serviceName: 'kafka' });
      fs.writeFileSync(file, 'Client { x required; };');
      expect(map('consumer', { 'security.protocol': 'SASL_PLAINTEXT' }).errors[0]!.message).toMatch(/has no KafkaClient section/);
      setSystemProperties({ 'java.security.auth.login.config': path.join(dir, 'nope.conf') });
      expect(map('consumer', { 'security.protocol': 'SASL_PLAINTEXT' }).errors[0]!.message).toMatch(/cannot read the JAAS file/);
    } finally {
      setSystemProperties({});
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects what kafkajs cannot do, without printing secrets', () => {
    const gssapi = map('consumer', { 'security.protocol': 'SASL_PLAINTEXT' });
    expect(gssapi.errors[0]!.message).toMatch(/GSSAPI/);
    const wrongModule = map('consumer', {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-256',
      'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="topsecret";',
    });
    expect(wrongModule.errors[0]!.message).toMatch(/does not match sasl.mechanism/);
    const bad = map('consumer', {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': 'garbage topsecret',
    });
    expect(bad.errors[0]!.message).toMatch(/cannot read username and password/);
    for (const m of [wrongModule, bad]) expect(JSON.stringify(m.errors)).not.toContain('topsecret');
    const jks = map('producer', { 'security.protocol': 'SSL', 'ssl.truststore.location': '/x/t.jks', 'ssl.truststore.type': 'JKS' });
    expect(jks.errors[0]!.message).toMatch(/JKS truststores cannot be read by Node.js; convert it: keytool/);
    const proto = map('producer', { 'security.protocol': 'SSLV3' });
    expect(proto.errors[0]!.key).toBe('kafka.producer.security.protocol');
  });

  it('turns off hostname verification as Flume does', () => {
    expect(map('producer', { 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': '' }).tls?.verifyHostname).toBe(false);
    expect(map('producer', { 'security.protocol': 'SSL', 'ssl.disableTLSHostnameVerification': 'true' }).tls?.verifyHostname).toBe(false);
    expect(map('producer', { 'security.protocol': 'SSL' }).tls?.verifyHostname).toBe(true);
  });

  it('loads PEM truststores and PEM/PKCS12 keystores, and explains JKS', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-tls-'));
    const pem = path.join(dir, 'ca.pem');
    fs.writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const jks = path.join(dir, 'ks.jks');
    fs.writeFileSync(jks, Buffer.from('feedfeed00000002', 'hex'));
    const p12 = path.join(dir, 'ks.p12');
    fs.writeFileSync(p12, Buffer.from('3082', 'hex'));
    const a = loadTls(
      { verifyHostname: false, truststore: { type: '', location: pem }, keystore: { type: '', location: p12, password: 'pw' } },
      'sink k1',
    );
    expect(String(a.ca)).toContain('BEGIN CERTIFICATE');
    expect(a.pfx).toBeInstanceOf(Buffer);
    expect(a.passphrase).toBe('pw');
    expect(a.checkServerIdentity?.('h', {} as never)).toBeUndefined();
    expect(() => loadTls({ verifyHostname: true, keystore: { type: '', location: jks } }, 'sink k1')).toThrow(
      /JKS keystore, which Node.js cannot read/,
    );
    expect(() => loadTls({ verifyHostname: true, truststore: { type: '', location: path.join(dir, 'nope') } }, 'sink k1')).toThrow(
      /sink k1: cannot read ssl.truststore.location/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('parses JAAS lines', () => {
    expect(parseJaas('org.apache.kafka.common.security.plain.PlainLoginModule required username="a b" password=c;')).toEqual({
      module: 'org.apache.kafka.common.security.plain.PlainLoginModule',
      options: { username: 'a b', password: 'c' },
    });
    expect(parseJaas('username="x"')).toBeUndefined();
    expect(isSecretKey('kafka.producer.sasl.jaas.config')).toBe(true);
    expect(isSecretKey('kafka.consumer.ssl.keystore.password')).toBe(true);
    expect(isSecretKey('kafka.consumer.group.id')).toBe(false);
  });
});

describe('Kafka component specs', () => {
  const parse = (spec: Parameters<typeof parseComponent>[0], raw: Record<string, string>) =>
    parseComponent(spec, propMap(raw), { label: 'test' });

  it("have Flume's defaults", () => {
    const sink = parse(kafkaSink, { 'kafka.bootstrap.servers': 'h:1' });
    expect(sink.ok).toBe(true);
    expect(sink.config).toMatchObject({
      'kafka.topic': 'default-flume-topic',
      flumeBatchSize: 100,
      'kafka.producer.acks': '1',
      useFlumeEventFormat: false,
      allowTopicOverride: true,
      topicHeader: 'topic',
    });
    const src = parse(kafkaSource, { 'kafka.bootstrap.servers': 'h:1', 'kafka.topics': 't' });
    expect(src.config).toMatchObject({
      'kafka.consumer.group.id': 'flume',
      batchSize: 1000,
      batchDurationMillis: 1000,
      backoffSleepIncrement: 1000,
      maxBackoffSleep: 5000,
      setTopicHeader: true,
      topicHeader: 'topic',
      useFlumeEventFormat: false,
    });
    const ch = parse(kafkaChannel, { 'kafka.bootstrap.servers': 'h:1' });
    expect(ch.config).toMatchObject({
      'kafka.topic': 'flume-channel',
      'kafka.consumer.group.id': 'flume',
      parseAsFlumeEvent: true,
      'kafka.pollTimeout': 500,
      'kafka.consumer.auto.offset.reset': 'earliest',
      'kafka.producer.acks': 'all',
    });
  });

  it('need bootstrap servers and (source) a topic', () => {
    expect(parse(kafkaSink, {}).ok).toBe(false);
    const src = parse(kafkaSource, { 'kafka.bootstrap.servers': 'h:1' });
    expect(src.ok).toBe(false);
    expect(src.diagnostics.map((d) => d.message).join()).toMatch(/At least one Kafka topic must be specified/);
  });

  it('accept the deprecated names', () => {
    const sink = parse(kafkaSink, { brokerList: 'h:1', topic: 't', batchSize: '7', requiredAcks: '-1' });
    expect(sink.ok).toBe(true);
    expect(sink.config).toMatchObject({
      'kafka.bootstrap.servers': 'h:1',
      'kafka.topic': 't',
      flumeBatchSize: 7,
      'kafka.producer.acks': '-1',
    });
    const ch = parse(kafkaChannel, { brokerList: 'h:1', pollTimeout: '50' });
    expect(ch.config).toMatchObject({ 'kafka.pollTimeout': 50 });
  });

  it('report unsupported settings as errors and ignored ones as warnings, never showing secrets', () => {
    const r = parse(kafkaSink, {
      'kafka.bootstrap.servers': 'h:1',
      'kafka.producer.linger.ms': '5',
      'kafka.producer.security.protocol': 'SASL_SSL',
      'kafka.producer.sasl.mechanism': 'GSSAPI',
      'kafka.producer.sasl.jaas.config': 'com.sun.security.auth.module.Krb5LoginModule required password="hunter2";',
    });
    expect(r.ok).toBe(false);
    const text = JSON.stringify(r.diagnostics);
    expect(text).toMatch(/GSSAPI logs in from a keytab only/);
    expect(text).toMatch(/linger.ms is ignored/);
    expect(text).not.toContain('hunter2');
    expect((kafkaSink.properties as Record<string, { secret?: boolean }>)['kafka.producer.sasl.jaas.config']!.secret).toBe(true);
    expect((kafkaChannel.properties as Record<string, { secret?: boolean }>)['kafka.consumer.ssl.keystore.password']!.secret).toBe(true);
  });
});
