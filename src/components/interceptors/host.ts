import { hostname, networkInterfaces } from 'node:os';
import { promises as dns } from 'node:dns';
import { defineComponent, prop } from '../../config/spec.js';
import type { Event } from '../../core/event.js';

/** A first guess before DNS answers: the first non-internal IPv4 address, else loopback. */
function firstAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return '127.0.0.1';
}

/**
 * Java's InetAddress.getLocalHost(): the local host name resolved by the system resolver (getHostAddress), or the
 * reverse lookup of that address (getCanonicalHostName). Resolved once, asynchronously; `current()` returns the
 * best value known so far.
 */
export class LocalHost {
  private value: string;
  readonly ready: Promise<void>;
  constructor(useIP: boolean) {
    const name = hostname();
    this.value = useIP ? firstAddress() : name;
    this.ready = (async () => {
      try {
        const { address } = await dns.lookup(name);
        if (useIP) { this.value = address; return; }
        try {
          this.value = (await dns.lookupService(address, 0)).hostname;
        } catch {
          this.value = name;
        }
      } catch {
        /* keep the first guess */
      }
    })();
  }
  current(): string {
    return this.value;
  }
}

export const hostInterceptor = defineComponent({
  kind: 'interceptor',
  type: 'host',
  fqcn: 'org.apache.flume.interceptor.HostInterceptor$Builder',
  summary: 'Sets a header to this host\'s IP address or canonical host name.',
  notes: 'The address is the host name resolved by the system resolver (as Java\'s InetAddress.getLocalHost()), looked up once when the interceptor is created; until the lookup answers (normally within milliseconds, before the source starts) the first non-loopback IPv4 address is used. With useIP=false a failed reverse lookup gives the plain host name (Java would give the IP).',
  properties: {
    hostHeader: prop.string({ default: 'host', doc: 'Header to set.' }),
    useIP: prop.boolean({ default: true, doc: 'Use the IP address (true) or the canonical host name (false).' }),
    preserveExisting: prop.boolean({ default: false, doc: 'Keep the header if the event already has it.' }),
  },
  create: (c) => {
    const { hostHeader, preserveExisting } = c;
    const host = new LocalHost(c.useIP);
    return Object.assign(
      {
        intercept(events: Event[]): Event[] {
          const value = host.current();
          for (const e of events) {
            if (preserveExisting && Object.hasOwn(e.headers, hostHeader)) continue;
            e.headers[hostHeader] = value;
          }
          return events;
        },
      },
      { ready: host.ready },
    );
  },
});
