/**
 * HBase's SASL GSSAPI framing (sasl.ts) against a scripted server and a fake GSS context: preamble, token frames,
 * the server's ERROR and switch-to-simple replies, the RFC 4752 security-layer answer (no layer; a server requiring one), hbase.rpc.protection parsing,
 * the server principal's `_HOST`, and which hbase-site.xml settings the sinks take (kerberosOptions).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GssClient, KerberosLogin } from '../../../../src/components/shared/kerberos.js';
import { kerberosOptions } from '../../../../src/components/sinks/hbase/index.js';
import {
  ByteReader,
  KERBEROS_PREAMBLE,
  parseProtection,
  saslHandshake,
  serverPrincipalFor,
} from '../../../../src/components/sinks/hbase/sasl.js';
import { loadHBaseSite } from '../../../../src/components/sinks/hbase/site.js';
import { tmpDir } from '../../../support/agent-process.js';

/** A GSS context that needs two steps and wraps by prefixing "W:" (unwrap strips it). */
function fakeGss(): GssClient & { wrapped: { data: Buffer; user?: string; protect?: boolean }[] } {
  let steps = 0;
  const wrapped: { data: Buffer; user?: string; protect?: boolean }[] = [];
  return {
    wrapped,
    contextComplete: false,
    async step(challenge: string) {
      steps++;
      if (steps === 1) return Buffer.from('AP-REQ').toString('base64');
      expect(Buffer.from(challenge, 'base64').toString()).toBe('AP-REP');
      this.contextComplete = true;
      return null as unknown as string; // the kerberos module's answer for an empty token
    },
    async wrap(data: string, o?: { user?: string; protect?: boolean }) {
      wrapped.push({ data: Buffer.from(data, 'base64'), user: o?.user, protect: o?.protect });
      return Buffer.concat([Buffer.from('W:'), Buffer.from(data, 'base64')]).toString('base64');
    },
    async unwrap(data: string) {
      return Buffer.from(data, 'base64').subarray(2).toString('base64');
    },
  };
}

function fakeLogin(gss: GssClient): KerberosLogin {
  return {
    configured: 'flume/_HOST@R',
    principal: 'flume/h1@R',
    keytab: '/k',
    shortName: 'flume',
    ccache: '/c',
    initiator: async () => gss,
    explain: (e) => e as never,
  };
}

const int = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const ok = (token: Buffer): Buffer => Buffer.concat([int(0), int(token.length), token]);
const writable = (s: string): Buffer => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);

describe('HBase SASL GSSAPI', () => {
  it('the preamble says KERBEROS (0x51)', () => {
    expect(KERBEROS_PREAMBLE).toEqual(Buffer.from('HBas\x00\x51', 'latin1'));
  });

  it('runs the exchange and answers the offer with "no security layer", the size and the principal', async () => {
    const gss = fakeGss();
    const r = new ByteReader();
    const sent: Buffer[] = [];
    const p = saslHandshake(r, (b) => sent.push(b), {
      address: 'h1:16020',
      serverPrincipal: 'hbase/h1@R',
      security: { login: fakeLogin(gss), serverPrincipal: 'hbase/_HOST@R', protection: ['authentication'] },
    });
    r.push(ok(Buffer.from('AP-REP')));
    // offer: none|integrity|privacy, max 65536
    r.push(ok(Buffer.concat([Buffer.from('W:'), Buffer.from([7, 1, 0, 0])])));
    await p;
    expect(sent[0]).toEqual(Buffer.concat([int(6), Buffer.from('AP-REQ')]));
    expect(sent[1]).toEqual(int(0)); // the empty token after the AP-REP
    expect(gss.wrapped[0]).toEqual({ data: Buffer.from([7, 1, 0, 0]), user: 'flume/h1@R', protect: false });
    expect(sent[2]).toEqual(Buffer.concat([int(6), Buffer.from('W:'), Buffer.from([7, 1, 0, 0])]));
  });

  it("a server's ERROR reply names both principals; switch-to-simple and a layer mismatch are clear errors", async () => {
    const run = async (reply: Buffer) => {
      const gss = fakeGss();
      const r = new ByteReader();
      const p = saslHandshake(r, () => {}, {
        address: 'h1:16020',
        serverPrincipal: 'hbase/h1@R',
        security: { login: fakeLogin(gss), serverPrincipal: 'hbase/_HOST@R', protection: ['authentication'] },
      });
      r.push(reply);
      return p.then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
    };
    const refused = await run(Buffer.concat([int(1), writable('javax.security.sasl.SaslException'), writable('GSS initiate failed')]));
    expect(refused?.message).toMatch(/refused the Kerberos login of flume\/h1@R \(server principal hbase\/h1@R\).*GSS initiate failed/);
    expect((refused as { code?: string }).code).toBe('FLUME_HBASE_SASL');
    expect((await run(Buffer.concat([int(0), int(-88)])))?.message).toMatch(/does not use Kerberos/);
    const offerOnlyPrivacy = Buffer.concat([ok(Buffer.from('AP-REP')), ok(Buffer.concat([Buffer.from('W:'), Buffer.from([4, 0, 0, 0])]))]);
    expect((await run(offerOnlyPrivacy))?.message).toMatch(/requires hbase.rpc.protection = integrity or privacy/);
  });

  it('hbase.rpc.protection and the server principal', () => {
    expect(parseProtection(undefined)).toEqual(['authentication']);
    expect(parseProtection('Privacy, integrity')).toEqual(['privacy', 'integrity']);
    expect(() => parseProtection('secret')).toThrow(/unknown value "secret"/);
    expect(serverPrincipalFor('hbase/_HOST@R', 'RS1.Example.COM')).toBe('hbase/rs1.example.com@R');
    expect(serverPrincipalFor('hbase/_HOST', 'rs1')).toBe('hbase/rs1');
    expect(serverPrincipalFor('hbase/fixed@R', 'rs1')).toBe('hbase/fixed@R');
  });

  it('takes the server principal and protection from hbase-site.xml, with defaults', () => {
    const d = tmpDir('flume-ts-hbase-site-');
    const xml = (props: Record<string, string>) =>
      `<configuration>${Object.entries(props)
        .map(([k, v]) => `<property><name>${k}</name><value>${v}</value></property>`)
        .join('')}</configuration>`;
    fs.writeFileSync(
      path.join(d, 'hbase-site.xml'),
      xml({ 'hbase.regionserver.kerberos.principal': 'hbase/_HOST@EXAMPLE.COM', 'hbase.rpc.protection': 'privacy,authentication' }),
    );
    const k = { kerberosPrincipal: 'flume@R', kerberosKeytab: '/k' };
    expect(kerberosOptions(k, 'k1', loadHBaseSite([d]))).toMatchObject({
      serverPrincipal: 'hbase/_HOST@EXAMPLE.COM',
      protection: ['privacy', 'authentication'],
    });
    fs.writeFileSync(path.join(d, 'hbase-site.xml'), xml({ 'hbase.rpc.protection': 'privacy' }));
    expect(() => kerberosOptions(k, 'k1', loadHBaseSite([d]))).toThrow(
      expect.objectContaining({ code: 'FLUME_HBASE_KERBEROS', message: expect.stringMatching(/privacy .* not supported/) }),
    );
    expect(kerberosOptions(k, 'k1', loadHBaseSite([]))).toMatchObject({ serverPrincipal: 'hbase/_HOST@R', protection: ['authentication'] });
    expect(kerberosOptions(k, 'k1', loadHBaseSite([]), 'hbase/rs@X')?.serverPrincipal).toBe('hbase/rs@X');
    expect(kerberosOptions({}, 'k1', loadHBaseSite([]))).toBeUndefined();
    fs.writeFileSync(path.join(d, 'hbase-site.xml'), xml({ 'hbase.security.authentication': 'kerberos' }));
    expect(() => kerberosOptions({}, 'k1', loadHBaseSite([d]))).toThrow(/no kerberosPrincipal and kerberosKeytab/);
    fs.writeFileSync(path.join(d, 'hbase-site.xml'), xml({ 'hbase.security.authentication': 'simple' }));
    expect(kerberosOptions(k, 'k1', loadHBaseSite([d]))).toBeUndefined();
    fs.rmSync(d, { recursive: true, force: true });
  });
});
