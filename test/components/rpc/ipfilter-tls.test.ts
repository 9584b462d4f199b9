import { describe, expect, it } from 'vitest';
import { ipAllowed, normalizeAddress, parseIpFilterRules } from '../../../src/components/rpc/ipfilter.js';
import { splitList, versionRange } from '../../../src/components/rpc/tls.js';

describe('ipFilterRules (Flume PatternRule semantics)', () => {
  it('the first matching rule decides; no match accepts', async () => {
    const rules = parseIpFilterRules('allow:ip:127.*, deny:ip:10.0.0.?,allow:ip:10.*');
    expect(await ipAllowed(rules, '127.0.0.1')).toBe(true);
    expect(await ipAllowed(rules, '::ffff:10.0.0.7')).toBe(false);
    expect(await ipAllowed(rules, '10.0.0.17')).toBe(true); // ? is one character
    expect(await ipAllowed(rules, '192.168.1.1')).toBe(true);
    expect(await ipAllowed(parseIpFilterRules('deny:ip:*'), '192.168.1.1')).toBe(false);
  });

  it('dots are literal and matches are whole-string', async () => {
    const rules = parseIpFilterRules('deny:ip:1.2.3.4');
    expect(await ipAllowed(rules, '1x2x3x4')).toBe(true);
    expect(await ipAllowed(rules, '11.2.3.4')).toBe(true);
    expect(await ipAllowed(rules, '1.2.3.4')).toBe(false);
  });

  it('name:localhost matches loopback addresses; name patterns match the reverse-DNS name or the IP text', async () => {
    expect(await ipAllowed(parseIpFilterRules('deny:name:localhost'), '127.0.0.1')).toBe(false);
    expect(await ipAllowed(parseIpFilterRules('deny:name:localhost'), '::1')).toBe(false);
    expect(await ipAllowed(parseIpFilterRules('deny:name:192.0.2.*'), '192.0.2.55')).toBe(false);
  });

  it("rejects malformed rules with Flume's message", () => {
    for (const bad of ['allow', 'allow:ip', 'permit:ip:*', 'allow:host:*', 'Allow:ip:*']) {
      expect(() => parseIpFilterRules(bad)).toThrow(/should look like <'allow' {2}or 'deny'>:<'ip' or 'name'>:<pattern>/);
    }
    expect(() => parseIpFilterRules('  ')).toThrow(/ipFilterRules is not defined/);
    expect(normalizeAddress('::ffff:1.2.3.4')).toBe('1.2.3.4');
  });
});

describe('TLS protocol lists', () => {
  it('maps include/exclude-protocols onto a min/max range (base TLSv1.2–1.3 as on Java 17); SSLv3 never counts', () => {
    expect(versionRange([], ['SSLv3'])).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(versionRange([], ['SSLv3', 'TLSv1.3'])).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(versionRange(['TLSv1.1', 'TLSv1.2'], [])).toEqual({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.2' });
    expect(versionRange(['TLSv1.2'], [])).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(() => versionRange(['TLSv1.2'], ['TLSv1.2'])).toThrow(/no TLS protocol left/);
    expect(splitList('TLSv1  TLSv1.1')).toEqual(['TLSv1', 'TLSv1.1']);
  });
});
