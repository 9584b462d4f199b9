/**
 * providerURL → AMQP 1.0 endpoints. JMS provider URLs name the broker's acceptor; Artemis' default acceptor (61616)
 * speaks CORE, AMQP, STOMP and OpenWire on the same port, so `tcp://host:61616` is reached with AMQP on that port.
 * Accepted: tcp://, amqp://, nio:// (plain), ssl://, amqps:// (TLS), failover:(url1,url2,…)?… and comma lists;
 * query options are ignored.
 */
import { FlumeError } from '../../../core/errors.js';

export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
}

const PLAIN = new Set(['tcp', 'amqp', 'nio', 'vm']);
const TLS = new Set(['ssl', 'amqps', 'tls']);

function one(url: string, whole: string): Endpoint {
  const m = /^([a-z0-9+.-]+):\/\/(\[[^\]]+\]|[^:/?]+)(?::(\d+))?/i.exec(url.trim());
  const scheme = m?.[1]?.toLowerCase();
  if (!m || !scheme || (!PLAIN.has(scheme) && !TLS.has(scheme)) || scheme === 'vm')
    throw new FlumeError(
      'FLUME_JMS_URL',
      `JMS source: providerURL "${whole}" is not a broker URL flume-ts can reach (use tcp://host:port, amqp://host:port, ` +
        'amqps://host:port or failover:(…))',
    );
  const tls = TLS.has(scheme);
  return { host: m[2]!.replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : tls ? 5671 : 61616, tls };
}

/** The endpoints of a provider URL, tried in order. Throws FLUME_JMS_URL. */
export function parseProviderUrl(url: string): Endpoint[] {
  let s = url.trim();
  const f = /^failover:\(?([^)]*)\)?/i.exec(s);
  if (f) s = f[1]!;
  const parts = s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return [one(url, url)];
  return parts.map((p) => one(p, url));
}
