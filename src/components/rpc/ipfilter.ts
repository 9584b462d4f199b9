/**
 * Flume's avro source `ipFilterRules` (AvroSource.generateRule + netty/filter/PatternRule, Netty's RuleBasedIpFilter):
 * a comma-separated list of `<allow|deny>:<ip|name>:<pattern>`; the first rule that matches decides, and a connection
 * no rule matches is accepted. Patterns are full-match regexes where `.` is literal, `*` is `.*` and `?` is `.`.
 * `name:localhost` is special: it matches the loopback and this host's addresses. `name` rules match the peer's
 * reverse-DNS name (its IP text when it has none), as Java's getHostName() does.
 */
import dns from 'node:dns/promises';
import os from 'node:os';
import { FlumeError } from '../../core/errors.js';

export interface IpRule {
  allow: boolean;
  kind: 'ip' | 'name';
  pattern: string;
  localhost: boolean;
  regex?: RegExp;
}

function usage(def: string): FlumeError {
  return new FlumeError(
    'FLUME_CONFIG',
    `Invalid ipFilter patternRule '${def}' should look like <'allow'  or 'deny'>:<'ip' or 'name'>:<pattern>`,
  );
}

/** Parses `ipFilterRules` with Flume's checks and messages (throws on a bad rule, as Flume's configure does). */
export function parseIpFilterRules(text: string): IpRule[] {
  if (text.trim() === '') throw new FlumeError('FLUME_CONFIG', 'ipFilter is configured with true but ipFilterRules is not defined');
  return text.split(',').map((raw) => {
    const def = raw.trim();
    const c1 = def.indexOf(':');
    if (c1 < 0) throw usage(def);
    const access = def.slice(0, c1);
    const c2 = def.indexOf(':', c1 + 1);
    if ((access !== 'allow' && access !== 'deny') || c2 < 0) throw usage(def);
    const kind = def.slice(c1 + 1, c2);
    if (kind !== 'ip' && kind !== 'name') throw usage(def);
    const pattern = def.slice(c2 + 1).trim();
    const localhost = kind === 'name' && pattern === 'localhost';
    let regex: RegExp | undefined;
    if (!localhost && pattern.length > 0) {
      const src = pattern.replace(/\./g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.');
      try {
        regex = new RegExp(`^(?:(${src}))$`);
      } catch (err) {
        throw new FlumeError('FLUME_CONFIG', `ipFilter rule '${def}': bad pattern (${(err as Error).message})`);
      }
    }
    return { allow: access === 'allow', kind, pattern, localhost, regex };
  });
}

/** `::ffff:1.2.3.4` → `1.2.3.4`. */
export function normalizeAddress(addr: string): string {
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

function isLocalhost(ip: string): boolean {
  if (ip === '127.0.0.1' || ip === '::1') return true;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.address === ip) return true;
  }
  return false;
}

async function hostName(ip: string): Promise<string> {
  try {
    const names = await dns.reverse(ip);
    return names[0] ?? ip;
  } catch {
    return ip;
  }
}

/** Whether a peer may connect. Name lookups happen only when a `name` rule is reached. */
export async function ipAllowed(rules: readonly IpRule[], remoteAddress: string): Promise<boolean> {
  const ip = normalizeAddress(remoteAddress);
  let name: string | undefined;
  for (const r of rules) {
    let hit = false;
    if (r.localhost) hit = isLocalhost(ip);
    else if (r.kind === 'ip') hit = r.regex?.test(ip) ?? false;
    else if (r.regex) {
      name ??= await hostName(ip);
      hit = r.regex.test(name);
    }
    if (hit) return r.allow;
  }
  return true;
}
