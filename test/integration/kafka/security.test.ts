/**
 * The Kafka source, sink and channel against a private broker with the security modes of real clusters (see
 * scripts/services/kafka.mjs startSecure): SSL with client certificates, SASL_SSL with PLAIN, SCRAM-SHA-256 and
 * SCRAM-SHA-512, and the StandardAuthorizer with topic/group ACLs. Every component is configured with Flume's property
 * names (kafka.producer.security.protocol, sasl.jaas.config as Flume users write it, ssl.truststore.*, ssl.keystore.*).
 * Secrets never appear in the components' logs nor in `flume-ts validate` output.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type Admin } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { kafkaChannel, type KafkaChannel } from '../../../src/components/channels/kafka.js';
import { kafkaSink, type KafkaSink } from '../../../src/components/sinks/kafka.js';
import { kafkaSource, type KafkaSource } from '../../../src/components/sources/kafka.js';
import { withTransaction } from '../../../src/core/channel.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { create, drain, memory } from '../../support/context.js';
import { ROOT } from '../../support/agent-process.js';
import { createTopic, TestProcessor, uniqueName, until } from './helpers.js';

interface SecureBroker {
  pid: number;
  dir: string;
  ports: { plaintext: number; ssl: number; saslSsl: number };
  tls: { caPem: string; caP12: string; clientPem: string; clientP12: string; clientP12Password: string; clientPrincipal: string };
}
const harness = '../../../scripts/services/kafka.mjs';
const { startSecure, SECURE_USERS } = (await import(harness)) as {
  startSecure(dir: string): Promise<SecureBroker>;
  SECURE_USERS: Record<string, Record<string, string>>;
};
const { stopPid } = (await import('../../../scripts/services/lib.mjs')) as { stopPid(pid: number, graceMs?: number): Promise<void> };

const PLAIN = SECURE_USERS.plain!;
const jaas = (module: 'plain.PlainLoginModule' | 'scram.ScramLoginModule', user: string, pw: string) =>
  `org.apache.kafka.common.security.${module} required username="${user}" password="${pw}";`;

/** A pino logger whose every line is kept, to grep for secrets. */
function capturingLogger(lines: string[]): Logger {
  return pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
}

describe('Kafka security modes against real broker listeners (SSL, SASL_SSL PLAIN/SCRAM, ACLs)', () => {
  let broker: SecureBroker;
  let admin: Admin;
  let kafka: Kafka;
  const logs: string[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flume-kafka-sec-'));

  beforeAll(async () => {
    broker = await startSecure(path.join(tmp, 'broker'));
    kafka = new Kafka({ brokers: [`127.0.0.1:${broker.ports.plaintext}`], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
    admin = kafka.admin();
    await admin.connect();
  }, 180_000);
  afterAll(async () => {
    await admin?.disconnect();
    if (broker) await stopPid(broker.pid, 15_000);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function allow(principal: string, ops: Array<[AclResourceTypes, string, AclOperationTypes]>): Promise<void> {
    await admin.createAcls({
      acl: ops.map(([resourceType, resourceName, operation]) => ({
        resourceType,
        resourceName,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal,
        host: '*',
        operation,
        permissionType: AclPermissionTypes.ALLOW,
      })),
    });
  }

  const modes = () => {
    const t = broker.tls;
    const sasl = (mech: string, module: 'plain.PlainLoginModule' | 'scram.ScramLoginModule', user: string, pw: string) => ({
      bootstrap: `127.0.0.1:${broker.ports.saslSsl}`,
      principal: `User:${user}`,
      client: {
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': mech,
        'sasl.jaas.config': jaas(module, user, pw),
        'ssl.truststore.location': t.caPem,
        'ssl.truststore.type': 'PEM',
      },
    });
    return {
      'SSL, PKCS12 client keystore': {
        bootstrap: `127.0.0.1:${broker.ports.ssl}`,
        principal: t.clientPrincipal,
        client: {
          'security.protocol': 'SSL',
          'ssl.truststore.location': t.caPem,
          'ssl.truststore.type': 'PEM',
          'ssl.keystore.location': t.clientP12,
          'ssl.keystore.type': 'PKCS12',
          'ssl.keystore.password': t.clientP12Password,
        },
      },
      'SASL_SSL PLAIN': sasl('PLAIN', 'plain.PlainLoginModule', 'alice', PLAIN.alice!),
      'SASL_SSL SCRAM-SHA-256': sasl('SCRAM-SHA-256', 'scram.ScramLoginModule', 'bob', SECURE_USERS['SCRAM-SHA-256']!.bob!),
      'SASL_SSL SCRAM-SHA-512, PKCS12 truststore': {
        ...sasl('SCRAM-SHA-512', 'scram.ScramLoginModule', 'carol', SECURE_USERS['SCRAM-SHA-512']!.carol!),
        client: {
          ...sasl('SCRAM-SHA-512', 'scram.ScramLoginModule', 'carol', SECURE_USERS['SCRAM-SHA-512']!.carol!).client,
          'ssl.truststore.location': t.caP12,
          'ssl.truststore.type': 'PKCS12',
          'ssl.truststore.password': t.clientP12Password,
        },
      },
      'SSL, PEM client keystore': {
        bootstrap: `127.0.0.1:${broker.ports.ssl}`,
        principal: t.clientPrincipal,
        client: {
          'security.protocol': 'SSL',
          'ssl.truststore.location': t.caPem,
          'ssl.keystore.location': t.clientPem,
          'ssl.keystore.type': 'PEM',
        },
      },
    };
  };
  const role = (prefix: string, client: Record<string, string>) =>
    Object.fromEntries(Object.entries(client).map(([k, v]) => [`${prefix}${k}`, v]));

  it('SSL with a client certificate and SASL_SSL with PLAIN, SCRAM-SHA-256, SCRAM-SHA-512: sink → topic → source', async () => {
    for (const [name, m] of Object.entries(modes())) {
      const topic = uniqueName('sec');
      const group = uniqueName('gsec');
      await createTopic(kafka, topic, 1);
      await allow(m.principal, [
        [AclResourceTypes.TOPIC, topic, AclOperationTypes.WRITE],
        [AclResourceTypes.TOPIC, topic, AclOperationTypes.READ],
        [AclResourceTypes.GROUP, group, AclOperationTypes.READ],
      ]);
      const N = 50;
      const ch = memory('c1', 1000, 1000);
      await ch.start();
      await withTransaction(ch, (tx) => tx.putAll(Array.from({ length: N }, (_, i) => createEvent(`${name}-${i}`))));
      const sink = create(
        kafkaSink,
        { 'kafka.bootstrap.servers': m.bootstrap, 'kafka.topic': topic, ...role('kafka.producer.', m.client) },
        { name: 'k1', channel: ch, logger: capturingLogger(logs) },
      ) as KafkaSink;
      await sink.start();
      try {
        while (ch.size() > 0) await sink.process();
      } finally {
        await sink.stop();
      }
      const out = memory('c2', 1000, 1000);
      const src = create(
        kafkaSource,
        {
          'kafka.bootstrap.servers': m.bootstrap,
          'kafka.topics': topic,
          'kafka.consumer.group.id': group,
          'kafka.consumer.auto.offset.reset': 'earliest',
          batchDurationMillis: '100',
          ...role('kafka.consumer.', m.client),
        },
        { name: 'r1', processor: new TestProcessor(out), logger: capturingLogger(logs) },
      ) as KafkaSource;
      await src.start();
      const got: Event[] = [];
      try {
        expect(await until(async () => (got.push(...(await drain(out))), got.length >= N), 60_000), name).toBe(true);
      } finally {
        await src.stop();
      }
      expect(new Set(got.map((e) => e.body.toString())).size, name).toBe(N);
    }
  }, 240_000);

  it('a principal without WRITE: the sink reports topic, principal and operation, keeps the batch, delivers once granted', async () => {
    const topic = uniqueName('acl-w');
    await createTopic(kafka, topic, 1);
    const client = modes()['SASL_SSL PLAIN'].client;
    const ch = memory('c1', 1000, 1000);
    await ch.start();
    await withTransaction(ch, (tx) => tx.putAll(Array.from({ length: 20 }, (_, i) => createEvent(`w${i}`))));
    const sink = create(
      kafkaSink,
      {
        'kafka.bootstrap.servers': `127.0.0.1:${broker.ports.saslSsl}`,
        'kafka.topic': topic,
        ...role('kafka.producer.', { ...client, 'sasl.jaas.config': jaas('plain.PlainLoginModule', 'dave', PLAIN.dave!) }),
      },
      { name: 'k1', channel: ch, logger: capturingLogger(logs) },
    ) as KafkaSink;
    await sink.start();
    try {
      const err = await sink.process().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(new RegExp(`principal User:dave is not authorized to WRITE topic ${topic}`));
      expect(err?.message).toMatch(/kafka-acls\.sh .* --operation Write --topic/);
      expect(ch.size()).toBe(20); // rolled back: nothing lost
      await allow('User:dave', [[AclResourceTypes.TOPIC, topic, AclOperationTypes.WRITE]]);
      expect(await until(async () => (await sink.process().catch(() => 'BACKOFF'), ch.size() === 0), 30_000)).toBe(true);
    } finally {
      await sink.stop();
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(Number(offsets[0]!.high)).toBeGreaterThanOrEqual(20);
  }, 120_000);

  it('a principal without READ on the group: the source says so, stays up, and reads once granted; the channel too', async () => {
    const topic = uniqueName('acl-r');
    const group = uniqueName('gacl');
    await createTopic(kafka, topic, 1);
    const p = kafka.producer();
    await p.connect();
    await p.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ value: `r${i}` })) });
    await p.disconnect();
    await allow('User:dave', [[AclResourceTypes.TOPIC, topic, AclOperationTypes.READ]]);
    const srcLogs: string[] = [];
    const out = memory('c2', 1000, 1000);
    const client = { ...modes()['SASL_SSL PLAIN'].client, 'sasl.jaas.config': jaas('plain.PlainLoginModule', 'dave', PLAIN.dave!) };
    const src = create(
      kafkaSource,
      {
        'kafka.bootstrap.servers': `127.0.0.1:${broker.ports.saslSsl}`,
        'kafka.topics': topic,
        'kafka.consumer.group.id': group,
        'kafka.consumer.auto.offset.reset': 'earliest',
        batchDurationMillis: '100',
        ...role('kafka.consumer.', client),
      },
      { name: 'r1', processor: new TestProcessor(out), logger: capturingLogger(srcLogs) },
    ) as KafkaSource;
    await src.start();
    const got: Event[] = [];
    try {
      const refused = new RegExp(`principal User:dave is not authorized to READ consumer group ${group}`);
      const seen = await until(() => srcLogs.some((l) => refused.test(l)), 60_000);
      if (!seen && process.env.DEBUG_SEC) console.log(srcLogs.filter((l) => /"level":(40|50)/.test(l)).join(''));
      expect(seen).toBe(true);
      expect(await drain(out)).toEqual([]);
      await allow('User:dave', [[AclResourceTypes.GROUP, group, AclOperationTypes.READ]]);
      expect(await until(async () => (got.push(...(await drain(out))), got.length >= 30), 60_000)).toBe(true);
    } finally {
      await src.stop();
      logs.push(...srcLogs);
    }
    expect(new Set(got.map((e) => e.body.toString())).size).toBe(30);

    // the Kafka channel: dave may not WRITE the channel topic; the put commit fails clearly and nothing is taken
    const ctopic = uniqueName('acl-ch');
    await createTopic(kafka, ctopic, 1);
    const kc = create(
      kafkaChannel,
      {
        'kafka.bootstrap.servers': `127.0.0.1:${broker.ports.saslSsl}`,
        'kafka.topic': ctopic,
        'kafka.consumer.group.id': group,
        ...role('kafka.producer.', client),
        ...role('kafka.consumer.', client),
      },
      { name: 'c9', logger: capturingLogger(logs) },
    ) as KafkaChannel;
    await kc.start();
    try {
      const put = withTransaction(kc, (tx) => tx.putAll([createEvent('c0')]));
      await expect(put).rejects.toThrow(new RegExp(`principal User:dave is not authorized to WRITE topic ${ctopic}`));
      await allow('User:dave', [
        [AclResourceTypes.TOPIC, ctopic, AclOperationTypes.WRITE],
        [AclResourceTypes.TOPIC, ctopic, AclOperationTypes.READ],
      ]);
      await withTransaction(kc, (tx) => tx.putAll([createEvent('c1')]));
      const taken: Event[] = [];
      await until(async () => {
        const tx = kc.begin();
        taken.push(...(await tx.take(10)));
        await tx.commit();
        if (taken.length < 1) await kc.waitForEvents(200);
        return taken.length >= 1;
      }, 60_000);
      expect(taken.map((e) => e.body.toString())).toEqual(['c1']);
    } finally {
      await kc.stop();
    }
  }, 180_000);

  it('no password, JAAS line or key passphrase appears in the logs or in `flume-ts validate` output', () => {
    const secrets = [...Object.values(PLAIN), ...Object.values(SECURE_USERS['SCRAM-SHA-256']!)];
    secrets.push(...Object.values(SECURE_USERS['SCRAM-SHA-512']!), broker.tls.clientP12Password);
    expect(logs.length).toBeGreaterThan(10);
    const all = logs.join('');
    for (const s of secrets) expect(all.includes(s), s).toBe(false);

    const conf = path.join(tmp, 'secure.conf');
    const m = modes();
    fs.writeFileSync(
      conf,
      [
        'a1.sources = r1',
        'a1.channels = c1',
        'a1.sinks = k1',
        'a1.sources.r1.type = org.apache.flume.source.kafka.KafkaSource',
        'a1.sources.r1.channels = c1',
        `a1.sources.r1.kafka.bootstrap.servers = ${m['SASL_SSL SCRAM-SHA-512, PKCS12 truststore'].bootstrap}`,
        'a1.sources.r1.kafka.topics = t',
        ...Object.entries(m['SASL_SSL SCRAM-SHA-512, PKCS12 truststore'].client).map(
          ([k, v]) => `a1.sources.r1.kafka.consumer.${k} = ${v}`,
        ),
        'a1.channels.c1.type = memory',
        'a1.channels.c1.capacity = 10000',
        'a1.channels.c1.transactionCapacity = 1000',
        // a login module that does not match the mechanism: validate reports the key, never its value
        `a1.sources.r1.kafka.consumer.sasl.jaas.config = ${jaas('plain.PlainLoginModule', 'carol', SECURE_USERS['SCRAM-SHA-512']!.carol!)}`,
        'a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink',
        'a1.sinks.k1.channel = c1',
        `a1.sinks.k1.kafka.bootstrap.servers = ${m['SSL, PKCS12 client keystore'].bootstrap}`,
        ...Object.entries(m['SSL, PKCS12 client keystore'].client).map(([k, v]) => `a1.sinks.k1.kafka.producer.${k} = ${v}`),
        `a1.sinks.k1.kafka.producer.ssl.key.password = ${PLAIN.alice}`,
        '',
      ].join('\n'),
    );
    for (const format of ['text', 'json']) {
      const r = spawnSync(
        process.execPath,
        [path.join(ROOT, 'bin/flume-ts'), 'validate', '--conf-file', conf, '--name', 'a1', '--format', format],
        {
          encoding: 'utf8',
        },
      );
      const output = `${r.stdout}${r.stderr}`;
      expect(output).toMatch(/sasl\.jaas\.config/);
      for (const s of secrets) expect(output.includes(s), `${format}: ${s}`).toBe(false);
    }
  });
});
