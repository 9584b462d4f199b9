/**
 * Kafka SASL GSSAPI (Kerberos): the Kafka sink and source against a private broker with a SASL_PLAINTEXT and a SASL_SSL
 * GSSAPI listener (scripts/services/kafka.mjs startKerberos; principal kafka/localhost) and the harness's MIT KDC, configured
 * as Flume users write it (security.protocol, sasl.mechanism=GSSAPI, sasl.kerberos.service.name, sasl.jaas.config with
 * Krb5LoginModule useKeyTab/keyTab/principal). A principal the KDC does not know and a missing keytab give clear
 * errors naming the principal, the component stays usable, and keytab contents never appear in the logs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { kafkaChannel, type KafkaChannel } from '../../../src/components/channels/kafka.js';
import { kafkaSink, type KafkaSink } from '../../../src/components/sinks/kafka.js';
import { kafkaSource, type KafkaSource } from '../../../src/components/sources/kafka.js';
import { resetKerberosLoginForTests } from '../../../src/components/shared/kerberos.js';
import { withTransaction } from '../../../src/core/channel.js';
import { createEvent, type Event } from '../../../src/core/event.js';
import { create, drain, memory } from '../../support/context.js';
import { freePort, sendLines, startAgent, tmpDir, waitFor, type AgentProcess } from '../../support/agent-process.js';
import { type Services, useServices } from '../../support/services.js';
import { createTopic, readTopic, TestProcessor, uniqueName, until } from './helpers.js';

interface KerberosBroker {
  pid: number;
  ports: { plaintext: number; gssapi: number; gssapiSsl: number };
  tls: { caPem: string };
}
const harness = '../../../scripts/services/kafka.mjs';
const { startKerberos } = (await import(harness)) as {
  startKerberos(
    dir: string,
    kdc: { krb5conf: string; addPrincipal(n: string): { principal: string; keytab: string } },
  ): Promise<KerberosBroker>;
};
const { stopPid } = (await import('../../../scripts/services/lib.mjs')) as { stopPid(pid: number, graceMs?: number): Promise<void> };

const krb5Jaas = (keytab: string, principal: string) =>
  `com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="${keytab}" principal="${principal}";`;

/** netcat → memory → Kafka sink over the GSSAPI listener; `extra`: the sink's login line. */
function agentConf(port: number, brokerPort: number, topic: string, extra: string): string {
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink
a1.sinks.k1.channel = c1
a1.sinks.k1.kafka.bootstrap.servers = 127.0.0.1:${brokerPort}
a1.sinks.k1.kafka.topic = ${topic}
a1.sinks.k1.kafka.producer.security.protocol = SASL_PLAINTEXT
a1.sinks.k1.kafka.producer.sasl.kerberos.service.name = kafka
${extra}
`;
}

describe('Kafka SASL GSSAPI against a Kerberos listener', () => {
  let svc: Services<'kdc'>;
  let broker: KerberosBroker;
  let kafka: Kafka;
  let flume: { principal: string; keytab: string };
  const logs: string[] = [];
  const logger: Logger = pino({ level: 'trace' }, { write: (l: string) => void logs.push(l) });
  const dir = tmpDir('flume-ts-kafka-gssapi-');

  beforeAll(async () => {
    svc = await useServices(['kdc']);
    process.env.KRB5_CONFIG = svc.kdc.krb5conf;
    broker = await startKerberos(path.join(dir, 'broker'), { krb5conf: svc.kdc.krb5conf, addPrincipal: (n) => svc.kdc.addPrincipal(n) });
    flume = svc.kdc.addPrincipal('flume');
    kafka = new Kafka({ brokers: [`127.0.0.1:${broker.ports.plaintext}`], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  }, 180_000);
  const agents: AgentProcess[] = [];
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop('SIGKILL')));
    if (broker) await stopPid(broker.pid, 15_000);
    await svc?.release();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  type Protocol = 'SASL_PLAINTEXT' | 'SASL_SSL';
  const client = (principal: string, keytab: string, prefix: string, protocol: Protocol = 'SASL_PLAINTEXT') => ({
    [`${prefix}security.protocol`]: protocol,
    [`${prefix}sasl.mechanism`]: 'GSSAPI',
    [`${prefix}sasl.kerberos.service.name`]: 'kafka',
    [`${prefix}sasl.jaas.config`]: krb5Jaas(keytab, principal),
    ...(protocol === 'SASL_SSL' ? { [`${prefix}ssl.truststore.location`]: broker.tls.caPem, [`${prefix}ssl.truststore.type`]: 'PEM' } : {}),
  });
  const port = (protocol: Protocol) => (protocol === 'SASL_SSL' ? broker.ports.gssapiSsl : broker.ports.gssapi);

  async function sinkWith(topic: string, principal: string, keytab: string, n: number, protocol: Protocol = 'SASL_PLAINTEXT') {
    const ch = memory('c1', 1000, 1000);
    await ch.start();
    await withTransaction(ch, (tx) => tx.putAll(Array.from({ length: n }, (_, i) => createEvent(`gss-${i}`))));
    const sink = create(
      kafkaSink,
      {
        'kafka.bootstrap.servers': `127.0.0.1:${port(protocol)}`,
        'kafka.topic': topic,
        'kafka.producer.retries': '1',
        ...client(principal, keytab, 'kafka.producer.', protocol),
      },
      { name: 'k1', channel: ch, logger },
    ) as KafkaSink;
    await sink.start();
    return { ch, sink };
  }

  it.each(['SASL_PLAINTEXT', 'SASL_SSL'] as const)(
    'sink → topic → source through the %s GSSAPI listener',
    async (protocol) => {
      resetKerberosLoginForTests();
      const topic = uniqueName('gss');
      await createTopic(kafka, topic, 1);
      const N = 50;
      const { ch, sink } = await sinkWith(topic, flume.principal, flume.keytab, N, protocol);
      try {
        while (ch.size() > 0) await sink.process();
      } finally {
        await sink.stop();
      }
      expect(ch.size()).toBe(0);
      const out = memory('c2', 1000, 1000);
      const src = create(
        kafkaSource,
        {
          'kafka.bootstrap.servers': `127.0.0.1:${port(protocol)}`,
          'kafka.topics': topic,
          'kafka.consumer.group.id': uniqueName('ggss'),
          'kafka.consumer.auto.offset.reset': 'earliest',
          batchDurationMillis: '100',
          ...client(flume.principal, flume.keytab, 'kafka.consumer.', protocol),
        },
        { name: 'r1', processor: new TestProcessor(out), logger },
      ) as KafkaSource;
      await src.start();
      const got: Event[] = [];
      try {
        expect(await until(async () => (got.push(...(await drain(out))), got.length >= N), 60_000)).toBe(true);
      } finally {
        await src.stop();
      }
      expect(new Set(got.map((e) => e.body.toString())).size).toBe(N);
    },
    120_000,
  );

  it('the Kafka channel: put and take through the GSSAPI listener', async () => {
    resetKerberosLoginForTests();
    const topic = uniqueName('gss-ch');
    await createTopic(kafka, topic, 1);
    const kc = create(
      kafkaChannel,
      {
        'kafka.bootstrap.servers': `127.0.0.1:${broker.ports.gssapi}`,
        'kafka.topic': topic,
        'kafka.consumer.group.id': uniqueName('gch'),
        ...client(flume.principal, flume.keytab, 'kafka.producer.'),
        ...client(flume.principal, flume.keytab, 'kafka.consumer.'),
      },
      { name: 'c9', logger },
    ) as KafkaChannel;
    await kc.start();
    try {
      await withTransaction(kc, (tx) => tx.putAll(Array.from({ length: 10 }, (_, i) => createEvent(`ch-${i}`))));
      const taken: Event[] = [];
      await until(async () => {
        const tx = kc.begin();
        taken.push(...(await tx.take(10)));
        await tx.commit();
        if (taken.length < 10) await kc.waitForEvents(200);
        return taken.length >= 10;
      }, 60_000);
      expect(taken.map((e) => e.body.toString()).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `ch-${i}`).sort());
    } finally {
      await kc.stop();
    }
  }, 120_000);

  it('a principal the KDC does not know, then a missing keytab: clear errors naming the principal, nothing lost', async () => {
    const topic = uniqueName('gss-bad');
    await createTopic(kafka, topic, 1);
    for (const [principal, keytab, expected] of [
      [`nosuch@${svc.kdc.realm}`, flume.keytab, /nosuch@FLUME\.TEST/],
      [flume.principal, path.join(dir, 'missing.keytab'), /Keytab is not a readable file/],
    ] as const) {
      resetKerberosLoginForTests();
      const { ch, sink } = await sinkWith(topic, principal, keytab, 5);
      try {
        for (let i = 0; i < 2; i++) {
          const err = await sink.process().then(
            () => undefined,
            (e: unknown) => e as Error,
          );
          expect(err?.message).toMatch(expected);
          expect(err?.message).toContain(principal);
          expect(ch.size()).toBe(5); // rolled back: nothing lost, the sink tries again
        }
      } finally {
        await sink.stop();
      }
    }
    // keytab contents never logged
    const key = fs.readFileSync(flume.keytab);
    const text = logs.join('');
    expect(text).not.toContain(key.toString('base64').slice(8, 40));
    expect(text).not.toContain(key.toString('hex').slice(16, 80));
  }, 120_000);

  it('the agent: a KafkaClient section of -Djava.security.auth.login.config drives the login (netcat → Kafka sink)', async () => {
    const topic = uniqueName('gss-agent');
    await createTopic(kafka, topic, 1);
    const jaasFile = path.join(dir, 'kafka_client_jaas.conf');
    fs.writeFileSync(
      jaasFile,
      `KafkaClient {\n  com.sun.security.auth.module.Krb5LoginModule required\n  useKeyTab=true\n  storeKey=true\n` +
        `  keyTab="${flume.keytab}"\n  principal="${flume.principal}";\n};\n`,
    );
    const port = await freePort();
    const conf = agentConf(port, broker.ports.gssapi, topic, 'a1.sinks.k1.kafka.producer.sasl.mechanism = GSSAPI');
    const agent = startAgent(conf, [`-Djava.security.auth.login.config=${jaasFile}`]);
    agents.push(agent);
    await waitFor(async () => (await sendLines(port, ['a']).catch(() => undefined)) !== undefined, 'agent netcat port', 60_000, 100);
    await sendLines(
      port,
      Array.from({ length: 19 }, (_, i) => `line-${i}`),
    );
    const got = await readTopic(kafka, topic, 20, 60_000);
    expect(got.length).toBe(20);
    expect(agent.stderr()).not.toMatch(/FLUME_CONFIG/);
  }, 120_000);

  it('the agent with a principal the KDC does not know: logs an error naming it and keeps running', async () => {
    const port = await freePort();
    const conf = agentConf(
      port,
      broker.ports.gssapi,
      uniqueName('gss-nosuch'),
      `a1.sinks.k1.kafka.producer.sasl.jaas.config = ${krb5Jaas(flume.keytab, `intruder@${svc.kdc.realm}`)}`,
    );
    const agent = startAgent(conf);
    agents.push(agent);
    await waitFor(async () => (await sendLines(port, ['x']).catch(() => undefined)) !== undefined, 'agent netcat port', 60_000, 100);
    await waitFor(() => /intruder@FLUME\.TEST.*(keytab|KDC)/.test(agent.stderr()), 'the error naming the principal', 60_000, 100);
    // still up: netcat still takes events
    expect(await sendLines(port, ['y'])).toEqual(['OK']);
    expect(agent.child.exitCode).toBeNull();
  }, 120_000);
});
