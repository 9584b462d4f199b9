import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkKeytab,
  claimKerberosPrincipal,
  explainGssError,
  resetKerberosLoginForTests,
  resolvePrincipal,
} from '../../../src/components/shared/kerberos.js';
import { SpnegoAuth } from '../../../src/components/sinks/hdfs/spnego.js';
import { silentLogger } from '../../support/context.js';

afterEach(() => resetKerberosLoginForTests());

describe('Kerberos login rules (Flume FlumeAuthenticationUtil / KerberosAuthenticator)', () => {
  it('_HOST becomes the canonical local host name; other principals are kept as written', async () => {
    const host = async () => 'node7.example.com';
    expect(await resolvePrincipal('flume/_HOST@EXAMPLE.COM', host)).toBe('flume/node7.example.com@EXAMPLE.COM');
    expect(await resolvePrincipal('flume/fixed.example.com@EXAMPLE.COM', host)).toBe('flume/fixed.example.com@EXAMPLE.COM');
    expect(await resolvePrincipal('flume@EXAMPLE.COM', host)).toBe('flume@EXAMPLE.COM');
    expect(await resolvePrincipal('flume/_HOST', host)).toBe('flume/_HOST'); // no realm: Hadoop leaves it too
  });

  it("one principal and keytab per process: a second, different one gets Flume's message", () => {
    claimKerberosPrincipal('flume/_HOST@EXAMPLE.COM', '/etc/flume.keytab');
    claimKerberosPrincipal('flume/_HOST@EXAMPLE.COM', '/etc/flume.keytab');
    expect(() => claimKerberosPrincipal('other@EXAMPLE.COM', '/etc/flume.keytab')).toThrow(
      /Cannot use multiple kerberos principals in the same agent\. {2}Must restart agent to use new principal or keytab\. Previous = \{ principal: flume\/_HOST@EXAMPLE\.COM, keytab: \/etc\/flume\.keytab \}, New = \{ principal: other@EXAMPLE\.COM/,
    );
    expect(() => claimKerberosPrincipal('flume/_HOST@EXAMPLE.COM', '/etc/other.keytab')).toThrow(/multiple kerberos principals/);
  });

  it('a keytab that is missing or a directory: "Keytab is not a readable file", naming the principal', () => {
    expect(() => checkKeytab('flume@X', '/nonexistent/flume.keytab')).toThrow(/as flume@X: Keytab is not a readable file: \/nonexistent/);
    expect(() => checkKeytab('flume@X', os.tmpdir())).toThrow(/Keytab is not a readable file/);
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kt-')), 'k.keytab');
    fs.writeFileSync(f, Buffer.from([5, 2]));
    expect(() => checkKeytab('flume@X', f)).not.toThrow();
  });

  it("MIT's errors become a message that names the principal, the keytab and what to check", () => {
    const e = (m: string) => explainGssError(new Error(m), 'flume@X', '/k.keytab', 'SPNEGO', 'HTTP@nn').message;
    expect(e('Clock skew too great')).toMatch(/flume@X.*clocks? .*NTP/);
    expect(e("Can't find client principal flume@X in cache collection")).toMatch(/keytab \/k\.keytab has no key for flume@X.*klist -kt/);
    expect(e('Server HTTP/nn@X not found in Kerberos database')).toMatch(/service principal for HTTP@nn/);
    expect(e('Cannot contact any KDC for realm')).toMatch(/krb5\.conf/);
    expect(explainGssError(new Error('x'), 'p', 'k', 'w', 't').code).toBe('FLUME_KERBEROS');
    expect(explainGssError(new Error('x'), 'p', 'k', 'w', 't').retriable).toBe(true);
  });
});

describe('SpnegoAuth', () => {
  it('a request refused for its delegation token is retried with a new one; other refusals are not', () => {
    const auth = new SpnegoAuth(new URL('http://nn:9870'), async () => ({}) as never, undefined, silentLogger, 1000);
    const body = (s: string) => Buffer.from(s);
    expect(auth.refused(403, body('{"RemoteException":{"exception":"InvalidToken","message":"token (x) is expired"}}'))).toBe(true);
    expect(auth.refused(401, body('{"RemoteException":{"message":"token (x) can\'t be found in cache"}}'))).toBe(true);
    expect(auth.refused(403, body('{"RemoteException":{"exception":"AccessControlException","message":"Permission denied"}}'))).toBe(false);
    expect(auth.refused(500, body('InvalidToken'))).toBe(false);
  });
});
