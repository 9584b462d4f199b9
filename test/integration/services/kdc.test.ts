import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices, type Services } from '../../support/services.js';

describe('MIT Kerberos KDC (krb5kdc) in the service harness', () => {
  let svc: Services<'kdc'>;
  let tmp: string;
  beforeAll(async () => {
    svc = await useServices(['kdc']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-test-'));
  });
  afterAll(async () => {
    await svc?.release();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const kinit = (principal: string, keytab: string, cc: string) =>
    spawnSync('kinit', ['-kt', keytab, principal], { env: { ...svc.kdc.env, KRB5CCNAME: `FILE:${cc}` }, encoding: 'utf8' });
  const klist = (cc: string) => spawnSync('klist', [], { env: { ...svc.kdc.env, KRB5CCNAME: `FILE:${cc}` }, encoding: 'utf8' });

  it('a principal made per run logs in from its keytab, with the lifetime cap asked for', () => {
    const { principal, keytab } = svc.kdc.addPrincipal('alice', { maxLife: '30 seconds' });
    expect(principal).toBe('alice@FLUME.TEST');
    expect(fs.existsSync(keytab)).toBe(true);
    const cc = path.join(tmp, 'cc-alice');
    const r = kinit(principal, keytab, cc);
    expect(r.status, r.stderr).toBe(0);
    const out = klist(cc).stdout;
    expect(out).toContain('krbtgt/FLUME.TEST@FLUME.TEST');
    const [, start, end] = /(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d)\s+(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d)\s+krbtgt/.exec(out) ?? [];
    const secs =
      (Date.parse(`20${end.slice(6, 8)}-${end.slice(0, 2)}-${end.slice(3, 5)}T${end.slice(9)}Z`) -
        Date.parse(`20${start.slice(6, 8)}-${start.slice(0, 2)}-${start.slice(3, 5)}T${start.slice(9)}Z`)) /
      1000;
    expect(secs).toBeLessThanOrEqual(30);
  });

  it('a wrong principal for a keytab is refused by the KDC', () => {
    const { keytab } = svc.kdc.addPrincipal('bob');
    const r = kinit('nobody@FLUME.TEST', keytab, path.join(tmp, 'cc-x'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not found|Keytab contains no suitable keys/i);
  });
});
