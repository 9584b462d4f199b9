/**
 * TLS settings with Flume's property names (SslContextAwareAbstractSource, SSLContextAwareAbstractRpcClient) mapped
 * onto Node's tls options.
 *
 * Key and trust stores: Node reads neither JKS nor JCEKS. Accepted:
 * - PKCS12 (`keystore-type = PKCS12`, or any type when the file is PKCS12: since Java 9 keytool writes PKCS12 and
 *   Java's "JKS" loader reads PKCS12 files too, so many `keystore-type = JKS` configs actually point at PKCS12 files);
 * - PEM (`keystore-type = PEM`, or a file that starts with `-----BEGIN`): the keystore file holds the certificate chain
 *   and the private key (encrypted or not; `keystore-password` is the key's passphrase), a truststore file holds the
 *   trusted CA certificates.
 * A real JKS file gives a start-up error that says how to convert it (`keytool -importkeystore … -deststoretype PKCS12`).
 * A PKCS12 truststore (certificates only) is read with the `openssl` command, as Node's `pfx` needs a private key.
 *
 * Like Flume, the client checks the server's certificate chain against the truststore (or the system CAs) but not the
 * host name (Flume's SSLEngine has no endpoint identification); `trust-all-certs` skips the check entirely.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import type tls from 'node:tls';
import { FlumeError } from '../../core/errors.js';
import { systemProperty } from '../../core/system-properties.js';

export interface SslProps {
  ssl: boolean;
  storePath?: string;
  storePassword?: string;
  storeType?: string;
  excludeProtocols: string[];
  includeProtocols: string[];
  excludeCipherSuites: string[];
  includeCipherSuites: string[];
}

export class TlsConfigError extends FlumeError {
  constructor(message: string) {
    super('FLUME_TLS_CONFIG', message);
  }
}

const JAVA_TO_NODE: Record<string, tls.SecureVersion> = {
  TLSv1: 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};
const ORDER: tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Splits Flume's space-separated protocol/cipher lists (`value.split(" ")`). */
export function splitList(v: string | undefined): string[] {
  return v === undefined ? [] : v.split(' ').filter((s) => s.length > 0);
}

/**
 * Flume's global SSL settings (SSLUtil.initGlobalSSLParameters): the `javax.net.ssl.*` system properties (`-D` on the
 * command line or in flume-env.sh's JAVA_OPTS), or, when a property is not set, the FLUME_SSL_* environment variable.
 */
export function globalSsl(kind: 'keystore' | 'truststore'): { path?: string; password?: string; type?: string } {
  const e = process.env;
  const sp = systemProperty;
  return kind === 'keystore'
    ? {
        path: sp('javax.net.ssl.keyStore') ?? e.FLUME_SSL_KEYSTORE_PATH,
        password: sp('javax.net.ssl.keyStorePassword') ?? e.FLUME_SSL_KEYSTORE_PASSWORD,
        type: sp('javax.net.ssl.keyStoreType') ?? e.FLUME_SSL_KEYSTORE_TYPE,
      }
    : {
        path: sp('javax.net.ssl.trustStore') ?? e.FLUME_SSL_TRUSTSTORE_PATH,
        password: sp('javax.net.ssl.trustStorePassword') ?? e.FLUME_SSL_TRUSTSTORE_PASSWORD,
        type: sp('javax.net.ssl.trustStoreType') ?? e.FLUME_SSL_TRUSTSTORE_TYPE,
      };
}

const LIST_PROPS = {
  INCLUDE_PROTOCOLS: 'flume.ssl.include.protocols',
  EXCLUDE_PROTOCOLS: 'flume.ssl.exclude.protocols',
  INCLUDE_CIPHERSUITES: 'flume.ssl.include.cipherSuites',
  EXCLUDE_CIPHERSUITES: 'flume.ssl.exclude.cipherSuites',
} as const;

/** The global protocol / cipher lists: `-Dflume.ssl.*` or FLUME_SSL_* (comma-separated, as SSLUtil). */
export function globalList(name: keyof typeof LIST_PROPS): string | undefined {
  const v = systemProperty(LIST_PROPS[name]) ?? process.env[`FLUME_SSL_${name}`];
  return v === undefined ? undefined : v.replace(/,/g, ' ');
}

/**
 * min/max TLS versions from Java protocol names. Like Flume on Java 17, the base set is TLSv1.2 and TLSv1.3 (the JDK
 * disables TLSv1 and TLSv1.1); include-protocols may name TLSv1/TLSv1.1 explicitly to allow them for an old peer.
 * Enabled = (include, or the base set) minus exclude (SSLv3 is always excluded and never supported).
 */
export function versionRange(include: string[], exclude: string[]): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion } {
  const base: tls.SecureVersion[] = ['TLSv1.2', 'TLSv1.3'];
  const allowed = ORDER.filter((v) => (include.length === 0 ? base.includes(v) : include.includes(v)) && !exclude.includes(v));
  if (allowed.length === 0) {
    throw new TlsConfigError(
      `no TLS protocol left after include-protocols [${include.join(' ')}] and exclude-protocols [${exclude.join(' ')}]; Node supports ${ORDER.join(', ')}`,
    );
  }
  // Node takes a range; a hole (e.g. excluding only TLSv1.2 out of three) widens to the range, which we accept
  return { minVersion: JAVA_TO_NODE[allowed[0]!]!, maxVersion: JAVA_TO_NODE[allowed[allowed.length - 1]!]! };
}

type StoreKind = 'PKCS12' | 'PEM';

/** For config checks (`flume-ts validate`): why a key/trust store file cannot be used, or undefined. */
export function storeProblem(file: string | undefined, declared: string | undefined, what: 'keystore' | 'truststore'): string | undefined {
  if (!file) return undefined;
  try {
    sniff(file, declared, what);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function sniff(file: string, declared: string | undefined, what: string): { kind: StoreKind; data: Buffer } {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    throw new TlsConfigError(`cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
  const magic = data.length >= 4 ? data.readUInt32BE(0) : 0;
  if (magic === 0xfeedfeed || magic === 0xcececece) {
    const type = magic === 0xfeedfeed ? 'JKS' : 'JCEKS';
    throw new TlsConfigError(
      `the ${what} ${file} is a ${type} store, which Node.js cannot read. Convert it once with ` +
        `"keytool -importkeystore -srckeystore ${file} -destkeystore ${file}.p12 -deststoretype PKCS12", ` +
        `then point the ${what} property at the .p12 file (PKCS12 works in Flume too), or use PEM files (see docs)`,
    );
  }
  const head = data.subarray(0, 64).toString('latin1');
  if ((declared ?? '').toUpperCase() === 'PEM' || /-----BEGIN /.test(head)) return { kind: 'PEM', data };
  if (data[0] === 0x30) return { kind: 'PKCS12', data };
  throw new TlsConfigError(`the ${what} ${file} is neither PKCS12 nor PEM (declared type ${declared ?? 'none'})`);
}

/** Server side: a key store (PKCS12 or PEM) → secure context options. */
export function serverSecureOptions(p: SslProps, label: string): tls.SecureContextOptions {
  if (!p.storePath) throw new TlsConfigError(`${label}: keystore must be specified when SSL is enabled`);
  const { kind, data } = sniff(p.storePath, p.storeType, 'keystore');
  // a PEM key may be unencrypted; a PKCS12 store always has a password (Flume requires it in every case)
  if (kind === 'PKCS12' && p.storePassword === undefined)
    throw new TlsConfigError(`${label}: keystore-password must be specified when SSL is enabled`);
  const opts: tls.SecureContextOptions = { ...versionRange(p.includeProtocols, p.excludeProtocols) };
  if (kind === 'PKCS12') {
    opts.pfx = data;
    opts.passphrase = p.storePassword;
  } else {
    const text = data.toString('utf8');
    const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const key = text.match(/-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/);
    if (certs.length === 0 || !key) {
      throw new TlsConfigError(`${label}: the PEM keystore ${p.storePath} must contain the certificate chain and the private key`);
    }
    opts.cert = certs.join('\n');
    opts.key = key[0];
    if (p.storePassword) opts.passphrase = p.storePassword;
  }
  applyCiphers(opts, p);
  return opts;
}

/** Client side: a trust store (PKCS12 or PEM; none = the system CAs) → connection options. */
export function clientSecureOptions(p: SslProps & { trustAllCerts: boolean }, label: string): tls.ConnectionOptions {
  const opts: tls.ConnectionOptions = {
    ...versionRange(p.includeProtocols, p.excludeProtocols),
    rejectUnauthorized: !p.trustAllCerts,
    // Flume verifies the chain, not the host name
    checkServerIdentity: () => undefined,
  };
  if (!p.trustAllCerts && p.storePath) {
    const { kind, data } = sniff(p.storePath, p.storeType, 'truststore');
    opts.ca = kind === 'PEM' ? data.toString('utf8') : pkcs12Certificates(p.storePath, p.storePassword, label);
  }
  applyCiphers(opts, p);
  return opts;
}

function applyCiphers(opts: tls.SecureContextOptions, p: SslProps): void {
  // Java cipher-suite names are IANA names; OpenSSL uses other names for TLS ≤ 1.2, so only TLS 1.3 names map 1:1.
  const tls13 = (s: string) => /^TLS_(AES|CHACHA20)_/.test(s);
  if (p.includeCipherSuites.length > 0) {
    const ok = p.includeCipherSuites.filter(tls13);
    if (ok.length > 0) opts.ciphers = ok.join(':');
  }
}

/** Certificates of a PKCS12 trust store, via `openssl pkcs12 -nokeys` (the password passes through the environment). */
export function pkcs12Certificates(file: string, password: string | undefined, label: string): string {
  try {
    const out = execFileSync('openssl', ['pkcs12', '-in', file, '-nokeys', '-passin', 'env:FLUME_TS_STORE_PASS'], {
      env: { ...process.env, FLUME_TS_STORE_PASS: password ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    const certs = out.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (certs.length === 0) throw new FlumeError('FLUME_TLS_CONFIG', 'no certificate in the store');
    return certs.join('\n');
  } catch (err) {
    const msg = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw new TlsConfigError(
      `${label}: cannot read the PKCS12 truststore ${file} (${msg.split('\n')[0]}). Node needs the openssl command for ` +
        'PKCS12 truststores; or give a PEM file of CA certificates with truststore-type = PEM',
    );
  }
}
