/** Property declarations shared by the avro and thrift sources and sinks, with Flume's names and defaults. */
import { prop, type SpecProblem } from '../../config/spec.js';
import { globalList, globalSsl, splitList, type SslProps } from './tls.js';

const storeDoc = 'PKCS12 or PEM (Node cannot read JKS: convert with keytool -importkeystore -deststoretype PKCS12).';

export const sourceSslProps = {
  ssl: prop.boolean({ default: false, doc: 'Serve TLS. Needs keystore and keystore-password (here or FLUME_SSL_KEYSTORE_* env).' }),
  keystore: prop.string({ doc: `Key store file with the server key and certificate: ${storeDoc}` }),
  'keystore-password': prop.string({ secret: true, doc: 'Key store password (for PEM: the private key passphrase, may be empty).' }),
  'keystore-type': prop.string({ default: 'JKS', doc: "JKS (Flume's default; a PKCS12 file is detected), PKCS12 or PEM." }),
  'exclude-protocols': prop.string({ default: 'SSLv3', doc: 'Space-separated TLS protocols to disable (SSLv3 is always off).' }),
  'include-protocols': prop.string({ doc: 'Space-separated TLS protocols to allow (TLSv1.2 TLSv1.3); empty allows all.' }),
  'exclude-cipher-suites': prop.string({ doc: 'Accepted for compatibility; Java cipher names are not applied to OpenSSL.' }),
  'include-cipher-suites': prop.string({ doc: 'Space-separated cipher suites; only TLS 1.3 names (TLS_AES_…) are applied.' }),
};

export const sinkSslProps = {
  ssl: prop.boolean({ default: false, doc: 'Connect with TLS.' }),
  truststore: prop.string({ doc: `Trust store with the CA certificates to trust: ${storeDoc} Unset: the system CAs.` }),
  'truststore-password': prop.string({ secret: true, doc: 'Trust store password.' }),
  'truststore-type': prop.string({ default: 'JKS', doc: 'JKS (a PKCS12 file is detected), PKCS12 or PEM.' }),
  'exclude-protocols': sourceSslProps['exclude-protocols'],
  'include-protocols': sourceSslProps['include-protocols'],
  'exclude-cipher-suites': sourceSslProps['exclude-cipher-suites'],
  'include-cipher-suites': sourceSslProps['include-cipher-suites'],
};

export const rpcSinkProps = {
  hostname: prop.string({ required: true, doc: 'Host name or IP of the next hop.' }),
  port: prop.int({ required: true, min: 0, max: 65535, doc: 'Port of the next hop.' }),
  'batch-size': prop.int({ default: 100, doc: 'Events per transaction and per appendBatch call (<1 uses 100, as Flume does).' }),
  'connect-timeout': prop.long({ default: 20000, doc: 'Milliseconds to connect (TCP and TLS) (<1000 uses 20000, as Flume does).' }),
  'request-timeout': prop.long({ default: 20000, doc: 'Milliseconds to wait for each answer (<1000 uses 20000, as Flume does).' }),
  'reset-connection-interval': prop.int({
    default: 0,
    doc: 'Seconds after which the connection is closed and rebuilt (0 = never), e.g. behind a load balancer.',
  }),
};

export interface RpcSinkConfig {
  hostname: string;
  port: number;
  'batch-size': number;
  'connect-timeout': number;
  'request-timeout': number;
  'reset-connection-interval': number;
}

/** Flume's fallbacks for out-of-range values, as warnings. */
export function rpcSinkChecks(c: RpcSinkConfig): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (c['batch-size'] < 1)
    out.push({ prop: 'batch-size', severity: 'warning', message: `batch-size ${c['batch-size']} is below 1; using 100 as Flume does` });
  for (const k of ['connect-timeout', 'request-timeout'] as const) {
    if (c[k] < 1000) out.push({ prop: k, severity: 'warning', message: `${k} ${c[k]} is below 1000 ms; using 20000 as Flume does` });
  }
  return out;
}

export const effectiveBatch = (n: number) => (n < 1 ? 100 : n);
export const effectiveTimeout = (n: number) => (n < 1000 ? 20000 : n);

type Raw = Readonly<Record<string, string>>;

function lists(c: Record<string, unknown>, raw: Raw) {
  const pick = (key: string, env: Parameters<typeof globalList>[0]) =>
    splitList(raw[key] !== undefined ? (c[key] as string | undefined) : globalList(env));
  const excl = pick('exclude-protocols', 'EXCLUDE_PROTOCOLS');
  return {
    excludeProtocols: [...new Set(['SSLv3', ...excl])],
    includeProtocols: pick('include-protocols', 'INCLUDE_PROTOCOLS'),
    excludeCipherSuites: pick('exclude-cipher-suites', 'EXCLUDE_CIPHERSUITES'),
    includeCipherSuites: pick('include-cipher-suites', 'INCLUDE_CIPHERSUITES'),
  };
}

/** A source's TLS settings, with Flume's global fallbacks (FLUME_SSL_KEYSTORE_* environment variables). */
export function sourceSsl(c: Record<string, unknown>, raw: Raw): SslProps {
  const g = globalSsl('keystore');
  return {
    ssl: c.ssl as boolean,
    storePath: (c.keystore as string | undefined) ?? g.path,
    storePassword: (c['keystore-password'] as string | undefined) ?? g.password,
    storeType: raw['keystore-type'] !== undefined ? (c['keystore-type'] as string) : (g.type ?? 'JKS'),
    ...lists(c, raw),
  };
}

export function sinkSsl(c: Record<string, unknown>, raw: Raw): SslProps {
  const g = globalSsl('truststore');
  return {
    ssl: c.ssl as boolean,
    storePath: (c.truststore as string | undefined) ?? g.path,
    storePassword: (c['truststore-password'] as string | undefined) ?? g.password,
    storeType: raw['truststore-type'] !== undefined ? (c['truststore-type'] as string) : (g.type ?? 'JKS'),
    ...lists(c, raw),
  };
}
