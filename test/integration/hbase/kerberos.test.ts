/**
 * The HBase sinks against a Kerberos-secured HBase 2.5 (scripts/services/hbase-kerberos.mjs: master and region server
 * hbase/_HOST@FLUME.TEST from the harness MIT KDC; hbase.rpc.protection accepting authentication, integrity and privacy,
 * of which flume-ts takes authentication)
 * through the real agent (bin/flume-ts; needs `npm run build`). Rows are read back by HBase's own Java client with its
 * own keytab login (HBaseTool, principal reader/localhost). Client tickets live 20 s and idle connections close after 2 s, so the agent's run
 * crosses ticket expiry: new connections need new tickets, which the login gets from the keytab.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKerberizedHbase, toolJvm } from '../../../scripts/services/hbase-kerberos.mjs';
import { stopPid } from '../../../scripts/services/lib.mjs';
import { canonicalLocalHost } from '../../../src/components/shared/kerberos.js';
import { type AgentProcess, canConnect, freePort, sendLines, startAgent, tmpDir, waitFor } from '../../support/agent-process.js';
import { type Services, useServices } from '../../support/services.js';
import { createTable, scan, scanUntil } from './helpers.js';

let svc: Services<'kdc'>;
let hb: { pid: number; quorum: string; log: string };
let dir = '';
let client: { principal: string; keytab: string };
let jvm: string[] = [];
const agents: AgentProcess[] = [];

beforeAll(async () => {
  svc = await useServices(['kdc']);
  process.env.KRB5_CONFIG = svc.kdc.krb5conf;
  dir = tmpDir('flume-ts-hbase-kerberos-');
  hb = await startKerberizedHbase(path.join(dir, 'hbase'), {
    kdcDir: svc.info.kdc.dir,
    krb5conf: svc.kdc.krb5conf,
    protection: 'authentication,integrity,privacy',
  });
  client = svc.kdc.addPrincipal('flume/localhost', { maxLife: '20 seconds' });
  // flume/_HOST resolves to this host's canonical name: localhost here, maybe another name elsewhere (same keytab)
  const host = await canonicalLocalHost();
  if (host !== 'localhost') svc.kdc.addPrincipal(`flume/${host}`, { maxLife: '20 seconds', keytab: client.keytab });
  // HBase's Java client reads back as its own principal, with ordinary ticket lifetimes (a slow JVM start must not
  // outlive a 20 s ticket: the Java client does not get a new one by itself)
  const reader = svc.kdc.addPrincipal('reader/localhost');
  jvm = toolJvm(svc.kdc.krb5conf, reader.principal, reader.keytab);
  await createTable(hb.quorum, 'k_hbase,k_hbase2,k_async,k_fix', ['cf'], [], jvm);
}, 300_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  if (hb) await stopPid(hb.pid, 10_000);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await svc?.release();
});

/** A --conf directory with Flume's hbase-site.xml for a secure cluster (idle connections closed after 2 s). */
function confDir(): string {
  const d = tmpDir('flume-ts-hbase-kerberos-conf-');
  const props = {
    'hbase.security.authentication': 'kerberos',
    'hbase.regionserver.kerberos.principal': 'hbase/_HOST@FLUME.TEST',
    'hbase.rpc.protection': 'authentication',
    'hbase.ipc.client.connection.minIdleTimeBeforeClose': '2000',
  };
  const rows = Object.entries(props).map(([k, v]) => `  <property><name>${k}</name><value>${v}</value></property>`);
  fs.writeFileSync(path.join(d, 'hbase-site.xml'), `<?xml version="1.0"?>\n<configuration>\n${rows.join('\n')}\n</configuration>\n`);
  return d;
}

const SERIALIZER: Record<string, string> = {
  hbase: 'org.apache.flume.sink.hbase.RegexHbaseEventSerializer',
  hbase2: 'org.apache.flume.sink.hbase2.RegexHBase2EventSerializer',
  asynchbase: 'org.apache.flume.sink.hbase.SimpleAsyncHbaseEventSerializer',
};

function sinkConf(name: string, type: string, table: string, principal: string, keytab: string, channel: string): string {
  const k = `a1.sinks.${name}`;
  const ser =
    type === 'asynchbase'
      ? `${k}.serializer.payloadColumn = p`
      : `${k}.serializer.regex = ((.*))\n${k}.serializer.colNames = ROW_KEY,p\n${k}.serializer.rowKeyIndex = 0`;
  return `${k}.type = ${type}
${k}.channel = ${channel}
${k}.table = ${table}
${k}.columnFamily = cf
${k}.zookeeperQuorum = ${hb.quorum}
${k}.batchSize = 10
${k}.timeout = 4000
${k}.kerberosPrincipal = ${principal}
${k}.kerberosKeytab = ${keytab}
${k}.serializer = ${SERIALIZER[type]}
${ser}
`;
}

function agentConf(port: number, sinks: { type: string; table: string }[], principal: string, keytab: string): string {
  const chans = sinks.map((_, i) => `c${i}`);
  return `a1.sources = r1
a1.channels = ${chans.join(' ')}
a1.sinks = ${sinks.map((_, i) => `k${i}`).join(' ')}
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = ${chans.join(' ')}
${chans.map((c) => `a1.channels.${c}.type = memory\na1.channels.${c}.capacity = 10000`).join('\n')}
${sinks.map((s, i) => sinkConf(`k${i}`, s.type, s.table, principal, keytab, `c${i}`)).join('')}`;
}

/** The keytab's bytes must not appear in a log: raw, hex or base64 (any 12-byte piece of it). */
function expectNoKeytabBytes(log: string, keytab: string): void {
  const bytes = fs.readFileSync(keytab);
  for (let off = 0; off + 12 <= bytes.length; off += 12) {
    const piece = bytes.subarray(off, off + 12);
    if (piece.every((b) => b >= 0x20 && b < 0x7f)) continue; // principal names are printable and may be logged
    expect(log.includes(piece.toString('latin1'))).toBe(false);
    expect(log.includes(piece.toString('hex'))).toBe(false);
    expect(log.includes(piece.toString('base64').slice(0, 12))).toBe(false);
  }
}

const rowsOf = (cells: { row: string }[]): string[] => [...new Set(cells.map((c) => c.row))].sort();

describe('HBase sinks with Kerberos', () => {
  it('hbase, hbase2 and asynchbase sinks in a real agent, across ticket expiry: nothing lost', async () => {
    const port = await freePort();
    const sinks = [
      { type: 'hbase', table: 'k_hbase' },
      { type: 'hbase2', table: 'k_hbase2' },
      { type: 'asynchbase', table: 'k_async' },
    ];
    const kdcLog = svc.info.kdc.logs.kdc!;
    const mark = fs.statSync(kdcLog).size;
    const ts = startAgent(agentConf(port, sinks, 'flume/_HOST@FLUME.TEST', client.keytab), ['--conf', confDir()]);
    agents.push(ts);
    await waitFor(() => canConnect(port), 'agent listening', 30_000);
    // 6 waves 6 s apart: idle connections close (2 s) and the 20 s tickets expire during the run
    const lines: string[] = [];
    for (let w = 0; w < 6; w++) {
      const wave = Array.from({ length: 20 }, (_, i) => `w${w}-${String(i).padStart(2, '0')}`);
      lines.push(...wave);
      await sendLines(port, wave);
      if (w < 5) await new Promise((r) => setTimeout(r, 6000));
    }
    const want = [...lines].sort();
    const got = await scanUntil(hb.quorum, 'k_hbase,k_hbase2,k_async', (c) => c.length >= 3 * want.length, 60_000, jvm);
    expect(rowsOf(got.filter((c) => c.table === 'k_hbase'))).toEqual(want);
    expect(rowsOf(got.filter((c) => c.table === 'k_hbase2'))).toEqual(want);
    const payloads = got.filter((c) => c.table === 'k_async' && c.qualifier === 'p').map((c) => c.value.toString('utf8'));
    expect([...new Set(payloads)].sort()).toEqual(want);
    // the login got more than one TGT from the keytab (the first expired during the run)
    const asReqs = fs
      .readFileSync(kdcLog, 'utf8')
      .slice(mark)
      .split('\n')
      .filter((l) => l.includes('AS_REQ') && l.includes('ISSUE') && l.includes(`${client.principal} for krbtgt`));
    expect(asReqs.length).toBeGreaterThanOrEqual(2);
    expect(ts.child.exitCode).toBeNull();
    expect(ts.stderr()).not.toMatch(/FLUME_HBASE_SASL|FLUME_KERBEROS/);
    expectNoKeytabBytes(ts.stderr(), client.keytab);
  }, 150_000);

  it('a missing keytab, then a principal not in the keytab: clear errors, the agent stays up and delivers once fixed', async () => {
    const port = await freePort();
    const keytab = path.join(tmpDir('flume-ts-hbase-kt-'), 'flume.keytab');
    const ts = startAgent(agentConf(port, [{ type: 'hbase2', table: 'k_fix' }], 'ghost/localhost@FLUME.TEST', keytab), [
      '--conf',
      confDir(),
    ]);
    agents.push(ts);
    await waitFor(() => canConnect(port), 'agent listening', 30_000);
    const lines = Array.from({ length: 30 }, (_, i) => `fix-${String(i).padStart(2, '0')}`);
    await sendLines(port, lines);
    await waitFor(() => /Keytab is not a readable file/.test(ts.stderr()), 'missing keytab error', 30_000);
    expect(ts.stderr()).toContain('ghost/localhost@FLUME.TEST');
    expect(ts.stderr()).toContain(keytab);
    // a keytab without ghost's key: the error names the principal and says to check the keytab
    fs.copyFileSync(client.keytab, keytab);
    await waitFor(() => /ghost\/localhost@FLUME\.TEST[^\n]*(klist|no key)/.test(ts.stderr()), 'wrong principal error', 40_000);
    expect(ts.child.exitCode).toBeNull();
    expect((await scan(hb.quorum, 'k_fix', jvm)).length).toBe(0);
    // fixed: ghost's key added to the keytab; everything taken before is delivered
    svc.kdc.addPrincipal('ghost/localhost', { keytab });
    const cells = await scanUntil(hb.quorum, 'k_fix', (c) => c.length >= lines.length, 60_000, jvm);
    expect(rowsOf(cells)).toEqual(lines);
    expect(ts.child.exitCode).toBeNull();
    expectNoKeytabBytes(ts.stderr(), keytab);
  }, 150_000);
});
