// MIT Kerberos KDC (Debian's krb5-kdc) for tests: one realm, run unprivileged on a free loopback port (TCP and UDP),
// with its own kdc.conf, krb5.conf, database, stash and log in the run directory. Principals and keytabs are made per
// run with addPrincipal() (kadmin.local on the run directory's database; the running KDC sees them at once).
// Clients point at it with KRB5_CONFIG=<krb5.conf> (MIT) or -Djava.security.krb5.conf=<krb5.conf> (Java).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HOST, freePort, pidAlive, portOpen, runSync, spawnDaemon, waitFor } from './lib.mjs';

/** Realm of every test KDC. */
export const REALM = 'FLUME.TEST';

/** Debian's paths (krb5-kdc, krb5-admin-server); PATH first. */
const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** @param {string} name */
function tool(name) {
  for (const d of (process.env.PATH ?? '').split(':').concat(SBIN)) {
    const p = path.join(d, name);
    if (d && fs.existsSync(p)) return p;
  }
  throw new Error(`kdc: ${name} not found; install Debian's krb5-kdc, krb5-admin-server and krb5-user (see .ci/run)`);
}

/** @param {string} dir @param {number} port */
function kdcConf(dir, port) {
  return `[kdcdefaults]
  kdc_ports = ${port}
  kdc_tcp_ports = ${port}
  kdc_listen = ${HOST}:${port}
  kdc_tcp_listen = ${HOST}:${port}

[realms]
  ${REALM} = {
    database_name = ${path.join(dir, 'principal')}
    key_stash_file = ${path.join(dir, 'stash')}
    acl_file = ${path.join(dir, 'kadm5.acl')}
    kdc_listen = ${HOST}:${port}
    kdc_tcp_listen = ${HOST}:${port}
    max_life = 10h
    max_renewable_life = 7d
    master_key_type = aes256-cts-hmac-sha1-96
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    default_principal_flags = +renewable,+forwardable
  }

[logging]
  kdc = FILE:${path.join(dir, 'kdc.log')}
  admin_server = FILE:${path.join(dir, 'kadmin.log')}
  default = FILE:${path.join(dir, 'kdc.log')}
`;
}

/** Client profile: no DNS, TCP only (udp_preference_limit = 1, which Java honours too), no reverse lookups. */
function krb5Conf(port) {
  return `[libdefaults]
  default_realm = ${REALM}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  forwardable = true
  renew_lifetime = 7d
  ticket_lifetime = 10h
  default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
  default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
  permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96

[realms]
  ${REALM} = {
    kdc = ${HOST}:${port}
    admin_server = ${HOST}:${port}
  }

[domain_realm]
  localhost = ${REALM}
  .localhost = ${REALM}
  ${HOST} = ${REALM}
`;
}

/** Environment for MIT tools and libraries against the KDC of run directory `dir`. @param {string} dir */
export function kdcEnv(dir) {
  return {
    ...process.env,
    KRB5_CONFIG: path.join(dir, 'krb5.conf'),
    KRB5_KDC_PROFILE: path.join(dir, 'kdc.conf'),
  };
}

/**
 * @param {string} dir run directory (created by the caller)
 * @returns {Promise<import('./lib.mjs').ServiceInfo>}
 */
export async function start(dir) {
  const t0 = Date.now();
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'kdc.conf'), kdcConf(dir, port));
  fs.writeFileSync(path.join(dir, 'krb5.conf'), krb5Conf(port));
  fs.writeFileSync(path.join(dir, 'kadm5.acl'), `*/admin@${REALM} *\n`);
  fs.mkdirSync(path.join(dir, 'keytabs'), { recursive: true });
  const env = kdcEnv(dir);
  // The master password only guards this throw-away database; it lives in the stash file next to it.
  runSync(tool('kdb5_util'), ['create', '-s', '-r', REALM, '-P', randomBytes(12).toString('hex')], {
    env,
    logFile: path.join(dir, 'setup.log'),
    timeoutMs: 60_000,
  });
  const log = path.join(dir, 'krb5kdc.out');
  const child = spawnDaemon(tool('krb5kdc'), ['-n', '-r', REALM], { env, logFile: log, cwd: dir });
  const pid = /** @type {number} */ (child.pid);
  await waitFor('kdc', () => portOpen(port), { alive: () => pidAlive(pid), logFile: log, timeoutMs: 30_000 });
  return {
    name: 'kdc',
    host: HOST,
    ports: { kdc: port },
    pids: [pid],
    logs: { kdc: path.join(dir, 'kdc.log'), stdout: log },
    dir,
    urls: { realm: REALM, kdc: `${HOST}:${port}`, krb5conf: path.join(dir, 'krb5.conf'), keytabs: path.join(dir, 'keytabs') },
    startedAt: new Date(t0).toISOString(),
    startMs: Date.now() - t0,
  };
}

/**
 * @typedef {object} PrincipalOptions
 * @property {string} [maxLife]      ticket lifetime cap of this principal, kadmin syntax ("30 seconds", "2 minutes");
 *                                   the KDC caps every ticket it is client or server of (the expiry tests use it)
 * @property {string} [maxRenewLife] renewable lifetime cap ("0" makes its tickets non-renewable)
 * @property {string} [keytab]       keytab file to write (default: <run dir>/keytabs/<name with / and @ as _>.keytab);
 *                                   an existing file gets the keys appended
 */

/**
 * Creates principal `name` (a bare name gets @FLUME.TEST) with a random key and writes its keytab.
 * Works from any process: `dir` is the KDC's run directory (ServiceInfo.dir). Idempotent per name: an existing
 * principal gets new keys (old keytabs of it stop working).
 * @param {string} dir @param {string} name @param {PrincipalOptions} [opts]
 * @returns {{ principal: string, keytab: string }}
 */
export function addPrincipal(dir, name, opts = {}) {
  const principal = name.includes('@') ? name : `${name}@${REALM}`;
  const keytab = opts.keytab ?? path.join(dir, 'keytabs', `${principal.replace(/[/@]/g, '_')}.keytab`);
  const limits = [
    ...(opts.maxLife ? ['-maxlife', `"${opts.maxLife}"`] : []),
    ...(opts.maxRenewLife ? ['-maxrenewlife', `"${opts.maxRenewLife}"`] : []),
  ].join(' ');
  const env = kdcEnv(dir);
  const kadmin = tool('kadmin.local');
  const logFile = path.join(dir, 'setup.log');
  const exists = runSync(kadmin, ['-r', REALM, '-q', `getprinc ${principal}`], { env, logFile }).includes('Principal:');
  const q = exists ? `modprinc ${limits} ${principal}` : `addprinc -randkey ${limits} ${principal}`;
  if (!exists || limits) runSync(kadmin, ['-r', REALM, '-q', q], { env, logFile, timeoutMs: 60_000 });
  // ktadd gives the principal new random keys and writes them (kvno + 1)
  runSync(kadmin, ['-r', REALM, '-q', `ktadd -k ${keytab} ${principal}`], { env, logFile, timeoutMs: 60_000 });
  if (!fs.existsSync(keytab)) throw new Error(`kdc: kadmin.local wrote no keytab for ${principal}; see ${logFile}`);
  return { principal, keytab };
}

/**
 * Changes an existing principal's limits (e.g. a short lifetime for one test). @param {string} dir
 * @param {string} name @param {PrincipalOptions} opts
 */
export function modifyPrincipal(dir, name, opts) {
  const principal = name.includes('@') ? name : `${name}@${REALM}`;
  const limits = [
    ...(opts.maxLife ? ['-maxlife', `"${opts.maxLife}"`] : []),
    ...(opts.maxRenewLife ? ['-maxrenewlife', `"${opts.maxRenewLife}"`] : []),
  ].join(' ');
  runSync(tool('kadmin.local'), ['-r', REALM, '-q', `modprinc ${limits} ${principal}`], {
    env: kdcEnv(dir),
    logFile: path.join(dir, 'setup.log'),
  });
}
