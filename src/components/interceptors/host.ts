import { execFileSync } from 'node:child_process';
import { hostname, networkInterfaces } from 'node:os';
import { defineComponent, prop } from '../../config/spec.js';
import type { Event } from '../../core/event.js';

/** A fallback when the resolver gives nothing: the first non-internal IPv4 address, else loopback. */
function firstAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return '127.0.0.1';
}

/** getaddrinfo / gethostbyaddr through the system resolver (nsswitch: /etc/hosts, DNS…), synchronously, via getent. */
function getent(db: string, key: string): string | undefined {
  try {
    const out = execFileSync('getent', [db, key], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n')[0]?.trim().split(/\s+/).filter(Boolean)[db === 'hosts' ? 1 : 0];
  } catch {
    return undefined;
  }
}

let cached: { ip: string; canonical: string } | undefined;

/**
 * Java's InetAddress.getLocalHost(): the host name resolved by the system resolver, IPv4 first as Java prefers
 * (getHostAddress), and the reverse lookup of that address (getCanonicalHostName, which falls back to the address).
 * Resolved once per process, synchronously, when the first host interceptor is created.
 */
export function localHost(): { ip: string; canonical: string } {
  if (cached) return cached;
  const name = hostname();
  const ip = getent('ahostsv4', name) ?? getent('ahosts', name) ?? firstAddress();
  const canonical = getent('hosts', ip) ?? ip;
  cached = { ip, canonical };
  return cached;
}

export const hostInterceptor = defineComponent({
  kind: 'interceptor',
  type: 'host',
  fqcn: 'org.apache.flume.interceptor.HostInterceptor$Builder',
  summary: "Sets a header to this host's IP address or canonical host name.",
  notes:
    "As Java's InetAddress.getLocalHost(): the host name resolved by the system resolver (`getent ahostsv4`, IPv4 first as Java), and for useIP=false the reverse lookup of that address (`getent hosts`), falling back to the address. Looked up once per process when the first host interceptor is created.",
  properties: {
    hostHeader: prop.string({ default: 'host', doc: 'Header to set.' }),
    useIP: prop.boolean({ default: true, doc: 'Use the IP address (true) or the canonical host name (false).' }),
    preserveExisting: prop.boolean({ default: false, doc: 'Keep the header if the event already has it.' }),
  },
  create: (c) => {
    const { hostHeader, preserveExisting } = c;
    const lh = localHost();
    const value = c.useIP ? lh.ip : lh.canonical;
    return {
      intercept(events: Event[]): Event[] {
        for (const e of events) {
          if (preserveExisting && Object.hasOwn(e.headers, hostHeader)) continue;
          e.headers[hostHeader] = value;
        }
        return events;
      },
    };
  },
});
