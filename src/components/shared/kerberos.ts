/**
 * Kerberos login from a keytab, as Flume's FlumeAuthenticationUtil / KerberosAuthenticator does it: one login per
 * process (every component that uses Kerberos must name the same principal and keytab, otherwise Flume's "Cannot use
 * multiple kerberos principals in the same agent"), `_HOST` in the principal replaced by this host's canonical name
 * (Hadoop's SecurityUtil.getServerPrincipal(principal, "")), and re-login before the ticket expires.
 *
 * GSSAPI comes from MIT Kerberos through the `kerberos` npm package (native, loaded lazily on first use). The login is
 * MIT's "client keytab" initiation: KRB5_CLIENT_KTNAME names the keytab and KRB5CCNAME a private credential cache of
 * this process, so libkrb5 obtains the TGT from the keytab on first use and obtains a new one when the cached one has
 * passed its refresh time (half its lifetime) or expired: the kinit, and the re-login before expiry, of Hadoop's UGI.
 * Keytab contents are never read or logged here: only its path and the principal appear in messages.
 */
import dns from 'node:dns/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { FlumeError } from '../../core/errors.js';

/** The parts of the `kerberos` package used here (its own typings are not imported at top level: lazy load). */
export interface GssClient {
  step(challenge: string): Promise<string>;
  wrap(challenge: string, options?: { user?: string; protect?: boolean }): Promise<string>;
  unwrap(challenge: string): Promise<string>;
  contextComplete: boolean;
}
interface KerberosModule {
  initializeClient(service: string, options: { principal?: string; mechOID?: number; gssFlag?: number }): Promise<GssClient>;
  GSS_MECH_OID_SPNEGO: number;
  GSS_MECH_OID_KRB5: number;
  GSS_C_MUTUAL_FLAG: number;
  GSS_C_SEQUENCE_FLAG: number;
}

let lib: KerberosModule | undefined;
async function kerberosLib(principal: string): Promise<KerberosModule> {
  if (lib) return lib;
  try {
    const m = (await import('kerberos')) as unknown as Partial<KerberosModule> & { default?: KerberosModule };
    lib = typeof m.initializeClient === 'function' ? (m as KerberosModule) : (m.default as KerberosModule);
    return lib;
  } catch (e) {
    throw new FlumeError(
      'FLUME_KERBEROS',
      `Kerberos for ${principal}: the native \`kerberos\` module cannot be loaded (${(e as Error).message}); ` +
        'install MIT Kerberos (libkrb5, libgssapi-krb5) and reinstall flume-ts so the module builds',
      { cause: e, retriable: true },
    );
  }
}

/** This host's canonical name, lower case (Java's InetAddress.getLocalHost().getCanonicalHostName()). */
export async function canonicalLocalHost(): Promise<string> {
  return canonicalHost(os.hostname());
}

/** Canonical name of `host` (forward lookup, then reverse), lower case; `host` itself when lookups fail. */
export async function canonicalHost(host: string): Promise<string> {
  try {
    const { address } = await dns.lookup(host);
    const { hostname } = await dns.lookupService(address, 0);
    return hostname.toLowerCase();
  } catch {
    return host.toLowerCase();
  }
}

/**
 * Hadoop's SecurityUtil.getServerPrincipal(principal, ""): a principal `service/_HOST@REALM` gets this host's canonical
 * name for `_HOST`; any other principal is returned as is.
 */
export async function resolvePrincipal(principal: string, localHost: () => Promise<string> = canonicalLocalHost): Promise<string> {
  const parts = principal.split(/[/@]/);
  if (parts.length !== 3 || parts[1] !== '_HOST') return principal;
  let host: string;
  try {
    host = await localHost();
  } catch (e) {
    throw new FlumeError('FLUME_KERBEROS', `Host lookup error resolving kerberos principal (${principal})`, { cause: e });
  }
  return `${parts[0]}/${host}@${parts[2]}`;
}

/** The process-wide login (Flume's static KerberosAuthenticator). */
export interface KerberosLogin {
  /** principal as configured */
  readonly configured: string;
  /** principal after _HOST substitution */
  readonly principal: string;
  readonly keytab: string;
  /** the user part (Hadoop's short name without auth_to_local rules: the first component) */
  readonly shortName: string;
  /** private credential cache of this process (KRB5CCNAME) */
  readonly ccache: string;
  /** A GSSAPI initiator for `service@host` (SPNEGO or raw Kerberos 5); errors become clear FlumeErrors. */
  initiator(service: string, host: string, mech: 'spnego' | 'krb5', what: string): Promise<GssClient>;
  /** An error from a GSS step as a clear FlumeError naming the principal, the keytab and what to check. */
  explain(e: unknown, what: string, target: string): FlumeError;
}

let current: KerberosLogin | undefined;
let claimed: { principal: string; keytab: string } | undefined;

/**
 * Flume's check at configure time, before any login: every component of this process that uses Kerberos names the
 * same principal and keytab. Throws FLUME_CONFIG (the component is refused, as Flume refuses it) otherwise.
 */
export function claimKerberosPrincipal(principal: string, keytab: string): void {
  if (!principal) throw new FlumeError('FLUME_CONFIG', `Invalid Kerberos principal: ${principal}`);
  if (!keytab) throw new FlumeError('FLUME_CONFIG', `Invalid Kerberos keytab: ${keytab}`);
  const abs = path.resolve(keytab);
  if (!claimed) {
    claimed = { principal, keytab: abs };
    return;
  }
  if (claimed.principal === principal && claimed.keytab === abs) return;
  throw multiplePrincipals(claimed, { principal, keytab: abs });
}

function multiplePrincipals(prev: { principal: string; keytab: string }, next: { principal: string; keytab: string }): FlumeError {
  return new FlumeError(
    'FLUME_CONFIG',
    'Cannot use multiple kerberos principals in the same agent.  Must restart agent to use new principal or keytab. ' +
      `Previous = { principal: ${prev.principal}, keytab: ${prev.keytab} }, New = { principal: ${next.principal}, keytab: ${next.keytab} }`,
  );
}

/**
 * Logs in as `principal` from `keytab` (or returns the existing login of this process). Throws FLUME_CONFIG when a
 * different principal or keytab is already in use (Flume refuses the component the same way) and FLUME_KERBEROS when
 * the keytab is not a readable file.
 */
export async function kerberosLogin(principal: string, keytab: string, logger?: Logger): Promise<KerberosLogin> {
  if (!principal) throw new FlumeError('FLUME_CONFIG', `Invalid Kerberos principal: ${principal}`);
  if (!keytab) throw new FlumeError('FLUME_CONFIG', `Invalid Kerberos keytab: ${keytab}`);
  const resolved = await resolvePrincipal(principal);
  const abs = path.resolve(keytab);
  if (current) {
    if (current.principal === resolved && current.keytab === abs) return current;
    throw multiplePrincipals(current, { principal: resolved, keytab: abs });
  }
  checkKeytab(resolved, abs);
  const ccache = path.join(os.tmpdir(), `flume-ts-krb5cc-${process.pid}-${resolved.replace(/[^\w.-]/g, '_')}`);
  // libkrb5 reads these on every context it creates: the process's login is this principal from this keytab
  process.env.KRB5CCNAME = `FILE:${ccache}`;
  process.env.KRB5_CLIENT_KTNAME = `FILE:${abs}`;
  const login = makeLogin(principal, resolved, abs, ccache);
  current = login;
  process.once('exit', () => fs.rmSync(ccache, { force: true }));
  logger?.info({ principal: resolved, keytab: abs, ccache }, 'Kerberos login from keytab (tickets are obtained on first use)');
  return login;
}

/** Flume's "Keytab is not a readable file", checked again before each login attempt (a keytab may appear later). */
export function checkKeytab(principal: string, keytab: string): void {
  let why: string | undefined;
  let cause: unknown;
  try {
    if (!fs.statSync(keytab).isFile()) why = 'not a file';
    else fs.accessSync(keytab, fs.constants.R_OK);
  } catch (e) {
    why = (e as Error).message;
    cause = e;
  }
  if (why !== undefined) {
    throw new FlumeError(
      'FLUME_KERBEROS',
      `Kerberos login as ${principal}: Keytab is not a readable file: ${keytab} (${why}); check the keytab path and that this user may read it`,
      { cause, retriable: true },
    );
  }
}

function makeLogin(configured: string, principal: string, keytab: string, ccache: string): KerberosLogin {
  const login: KerberosLogin = {
    configured,
    principal,
    keytab,
    shortName: principal.split(/[/@]/)[0] ?? principal,
    ccache,
    async initiator(service, host, mech, what) {
      checkKeytab(principal, keytab);
      const k = await kerberosLib(principal);
      const target = `${service}@${host}`;
      try {
        return await k.initializeClient(target, {
          principal,
          mechOID: mech === 'spnego' ? k.GSS_MECH_OID_SPNEGO : k.GSS_MECH_OID_KRB5,
          gssFlag: k.GSS_C_MUTUAL_FLAG | k.GSS_C_SEQUENCE_FLAG,
        });
      } catch (e) {
        throw login.explain(e, what, target);
      }
    },
    explain: (e, what, target) => explainGssError(e, principal, keytab, what, target),
  };
  return login;
}

/** Maps MIT's GSS/krb5 messages to what to check. Never includes key material (MIT's messages hold none). */
export function explainGssError(e: unknown, principal: string, keytab: string, what: string, target: string): FlumeError {
  const msg = e instanceof Error ? e.message : String(e);
  let hint: string;
  if (/clock skew/i.test(msg)) {
    hint = "this host's clock and the KDC's differ by more than the allowed skew (5 minutes by default): synchronise the clocks (NTP)";
  } else if (
    /client principal .* in cache collection|Keytab contains no suitable keys|Key table entry not found|No key table entry/i.test(msg)
  ) {
    hint = `the keytab ${keytab} has no key for ${principal}: check the principal name (realm, _HOST) and the keytab (klist -kt)`;
  } else if (/Client .* not found in Kerberos database|CLIENT_NOT_FOUND/i.test(msg)) {
    hint = `the KDC does not know ${principal}: check the principal name and realm`;
  } else if (/Server .* not found in Kerberos database|S_PRINCIPAL_UNKNOWN/i.test(msg)) {
    hint = `the KDC does not know the service principal for ${target}: check the server's principal and that the host name is canonical`;
  } else if (/Preauthentication failed|Decrypt integrity check failed|bad encryption type|password incorrect/i.test(msg)) {
    hint = `the keys in ${keytab} do not match the KDC's for ${principal} (an outdated keytab? a new kvno?): export the keytab again`;
  } else if (/Cannot contact any KDC|Cannot find KDC|unable to reach/i.test(msg)) {
    hint = 'no KDC answers for the realm: check krb5.conf (KRB5_CONFIG) and the network';
  } else if (/expired/i.test(msg)) {
    hint = `a ticket of ${principal} expired and could not be renewed from ${keytab}: check the keytab and the KDC`;
  } else {
    hint = `check the principal ${principal}, the keytab ${keytab} and krb5.conf`;
  }
  return new FlumeError('FLUME_KERBEROS', `Kerberos ${what} as ${principal} to ${target} failed: ${msg}; ${hint}`, {
    cause: e,
    retriable: true,
  });
}

/** Forgets the process login (tests only: Flume needs a restart to change principals). */
export function resetKerberosLoginForTests(): void {
  current = undefined;
  claimed = undefined;
}
