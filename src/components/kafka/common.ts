/** Shared plumbing of the Kafka source, sink and channel: kafkajs clients with pino logging, spec helpers. */
import type { Kafka, LogEntry } from 'kafkajs';
import { kafkajs } from '../shared/lazy.js';
import type { Logger } from '../../core/logging.js';
import { escapeString } from '../shared/bucket-path.js';
import { prop, subProperties, type PropSpec, type SpecProblem } from '../../config/spec.js';
import { certificatePrincipal } from './auth-errors.js';
import { installCodecs } from './codecs.js';
import { noDelaySocketFactory } from './kafkajs-fast.js';
import { gssapiMechanism } from './gssapi.js';
import { mapClient, sslOption, type ClientMapping, type MapOptions, type Role } from './client-config.js';

/** kafkajs log lines go to the component's pino logger; kafkajs INFO chatter is demoted to debug. */
export function kafkaLogCreator(logger: Logger, onAuthError?: (text: string) => void) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const e = (rest as Record<string, unknown>).error;
      if (onAuthError && typeof e === 'string' && /Not authorized|authorization failed/i.test(e)) onAuthError(e);
      // kafkajs never logs SASL passwords, but drop anything that looks like a credential anyway.
      delete (rest as Record<string, unknown>).sasl;
      delete (rest as Record<string, unknown>).password;
      const obj = { kafkajs: rest.logger ?? true, ...pick(rest) };
      const { logLevel } = kafkajs();
      switch (level) {
        case logLevel.ERROR:
          // connection errors are retried and repeat while a broker is down; the component reports the outcome
          logger.warn(obj, message);
          break;
        case logLevel.WARN:
          logger.warn(obj, message);
          break;
        case logLevel.INFO:
          logger.debug(obj, message);
          break;
        default:
          logger.trace(obj, message);
      }
    };
}

function pick(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['error', 'topic', 'partition', 'groupId', 'memberId', 'broker', 'retryCount', 'retryTime'])
    if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** One kafkajs client for a role, from the component's raw properties. */
export function kafkaClient(m: ClientMapping, logger: Logger, where: string): Kafka {
  const lib = kafkajs();
  installCodecs(lib);
  const { Kafka, logLevel } = lib;
  const ssl = sslOption(m, where);
  if (ssl && !m.kafka.sasl) m.principal = certificatePrincipal(ssl) ?? m.principal;
  return new Kafka({
    ...m.kafka,
    ...(m.kerberos ? { sasl: gssapiMechanism(m.kerberos, logger) } : {}),
    ssl: ssl ?? false,
    socketFactory: noDelaySocketFactory(),
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(logger, (text) => (m.recentAuthError = { text, at: Date.now() })),
  });
}

/** Maps kafka.<role>.* of a component. */
export function mapRole(
  raw: Readonly<Record<string, string>>,
  role: Role,
  bootstrap: string,
  extra: Partial<MapOptions> = {},
): ClientMapping {
  const prefix = `kafka.${role}.`;
  return mapClient({ role, bootstrapServers: bootstrap, props: subProperties(raw, prefix, { trim: true }), prefix, ...extra });
}

/** Turns a mapping's errors and ignored keys into spec problems (validate output and start-up warnings). */
export function mappingProblems(m: ClientMapping): SpecProblem[] {
  return [
    // Flume passes kafka.* properties to the Kafka client without checking them at configuration time
    ...m.errors.map((e) => ({ prop: e.key, message: `${e.key}: ${e.message}`, limit: true })),
    ...m.ignored.map((i) => ({
      prop: i.key.endsWith('*') ? undefined : i.key,
      message: `${i.key} is ignored: ${i.reason}`,
      severity: 'warning' as const,
    })),
  ];
}

/** The secret-bearing client properties, declared so validate/docs mask them. */
export function secretProps(role: Role): Record<string, PropSpec<string, false>> {
  const p = `kafka.${role}.`;
  return {
    [`${p}sasl.jaas.config`]: prop.string({
      secret: true,
      doc:
        'JAAS line: username and password for SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512; for GSSAPI (Kerberos) ' +
        'com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="…" principal="…";',
    }),
    [`${p}ssl.keystore.password`]: prop.string({ secret: true, doc: 'Password of a PKCS12 keystore.' }),
    [`${p}ssl.key.password`]: prop.string({ secret: true, doc: 'Passphrase of the private key in a PEM keystore.' }),
    [`${p}ssl.truststore.password`]: prop.string({ secret: true, doc: 'Password of a PKCS12 truststore (PEM truststores need none).' }),
    [`${p}ssl.keystore.key`]: prop.string({ secret: true, doc: 'Inline PEM private key (instead of ssl.keystore.location).' }),
  };
}

/** Splits Flume's `kafka.topics` list the way KafkaSource does (commas with optional spaces). */
export function splitTopics(s: string): string[] {
  return s.split(/^\s+|\s*,\s*|\s+$/).filter((t) => t.length > 0);
}

/**
 * Flume's KafkaSink escapes the configured topic with BucketPath.escapeString when the event has no topic header:
 * every escape (`%{header}`, time escapes from the `timestamp` header, `%[localhost]`, …) as in the HDFS sink.
 */
export function escapeTopic(topic: string, headers: Readonly<Record<string, string>>): string {
  return topic.includes('%') ? escapeString(topic, headers) : topic;
}

/** Parses a partition header value like Java's Integer.parseInt. */
export function parsePartition(v: string): number | undefined {
  return /^[+-]?\d+$/.test(v) && Math.abs(Number(v)) < 2 ** 31 ? Number(v) : undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
