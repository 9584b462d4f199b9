/**
 * The HDFS sink against a Kerberos-secured HDFS 3.4 (scripts/services/hdfs-kerberos.mjs: SPNEGO on WebHDFS, block
 * access tokens) and the harness's MIT KDC, through the real agent (bin/flume-ts; needs `npm run build`).
 * Short lifetimes make the run cross ticket expiry (client tickets live 20 s), delegation-token renewal
 * (renew-interval 12 s) and the token's max-lifetime (30 s: renewal refused, a new token fetched) with nothing lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKerberizedHdfs } from '../../../scripts/services/hdfs-kerberos.mjs';
import { stopPid } from '../../../scripts/services/lib.mjs';
import { canonicalLocalHost, kerberosLogin } from '../../../src/components/shared/kerberos.js';
import { SpnegoAuth } from '../../../src/components/sinks/hdfs/spnego.js';
import { WebHdfsClient } from '../../../src/components/sinks/hdfs/webhdfs.js';
import { canConnect, freePort, sendLines, startAgent, tmpDir, waitFor, type AgentProcess } from '../../support/agent-process.js';
import { type ServiceInfo, type Services, useServices } from '../../support/services.js';
import { silentLogger as logger } from '../../support/context.js';

let svc: Services<'kdc'>;
let hdfs: ServiceInfo;
let reader: WebHdfsClient;
let client: { principal: string; keytab: string };
const agents: AgentProcess[] = [];
const base = `/kerberos-${process.pid}`;

beforeAll(async () => {
  svc = await useServices(['kdc']);
  process.env.KRB5_CONFIG = svc.kdc.krb5conf;
  const dir = tmpDir('flume-ts-hdfs-kerberos-');
  hdfs = await startKerberizedHdfs(dir, {
    kdcDir: svc.info.kdc.dir,
    krb5conf: svc.kdc.krb5conf,
    proxyUsers: ['flume'],
    tokenRenewIntervalMs: 12_000,
    tokenMaxLifetimeMs: 30_000,
  });
  client = svc.kdc.addPrincipal('flume/localhost', { maxLife: '20 seconds' });
  // flume/_HOST resolves to this host's canonical name: localhost here, maybe another name elsewhere (same keytab)
  const host = await canonicalLocalHost();
  if (host !== 'localhost') svc.kdc.addPrincipal(`flume/${host}`, { maxLife: '20 seconds', keytab: client.keytab });
  // the test reads back as the same principal (its own login, in this process)
  const login = kerberosLogin(client.principal, client.keytab, logger);
  const url = `http://127.0.0.1:${hdfs.ports.http}`;
  reader = new WebHdfsClient({
    baseUrl: url,
    timeoutMs: 10_000,
    auth: new SpnegoAuth(new URL(url), () => login, undefined, logger, 10_000),
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  reader?.destroy();
  if (hdfs) await Promise.all([...hdfs.pids].reverse().map((p) => stopPid(p, 5000)));
  if (hdfs) fs.rmSync(hdfs.dir, { recursive: true, force: true });
  await svc?.release();
});

function conf(port: number, dir: string, extra: string): string {
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.sinks.k1.type = hdfs
a1.sinks.k1.channel = c1
a1.sinks.k1.hdfs.path = hdfs://127.0.0.1:${hdfs.ports.rpc}${dir}
a1.sinks.k1.hdfs.webhdfs.address = 127.0.0.1:${hdfs.ports.http}
a1.sinks.k1.hdfs.fileType = DataStream
a1.sinks.k1.hdfs.batchSize = 10
a1.sinks.k1.hdfs.rollInterval = 0
a1.sinks.k1.hdfs.rollSize = 0
a1.sinks.k1.hdfs.rollCount = 0
a1.sinks.k1.hdfs.retryInterval = 1
${extra}
`;
}

async function agentOn(dir: string, extra: string): Promise<{ agent: AgentProcess; port: number }> {
  const port = await freePort();
  const agent = startAgent(conf(port, dir, extra));
  agents.push(agent);
  await waitFor(() => canConnect(port), 'netcat port', 60_000);
  return { agent, port };
}

/** Everything in the files of `dir`, as lines. */
async function contents(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of await reader.listStatus(dir)) {
    const text = (await reader.open(`${dir}/${f.pathSuffix}`)).toString('utf8');
    out.push(...text.split('\n').filter(Boolean));
  }
  return out.sort();
}

describe('hdfs sink with Kerberos (SPNEGO + delegation tokens) against a secured HDFS', () => {
  it('writes through a secured HDFS across ticket expiry, token renewal and token max-lifetime, nothing lost', async () => {
    const dir = `${base}/expiry`;
    const { agent, port } = await agentOn(
      dir,
      `a1.sinks.k1.hdfs.kerberosPrincipal = flume/_HOST@${svc.kdc.realm}\na1.sinks.k1.hdfs.kerberosKeytab = ${client.keytab}`,
    );
    const sent: string[] = [];
    const t0 = Date.now();
    // 45 s of traffic: past two ticket lifetimes (20 s), several renewals (12 s) and the token max-lifetime (30 s)
    for (let round = 0; Date.now() - t0 < 45_000; round++) {
      const lines = Array.from({ length: 20 }, (_, i) => `r${String(round).padStart(3, '0')}-${i}`);
      expect((await sendLines(port, lines)).every((r) => r === 'OK')).toBe(true);
      sent.push(...lines);
      await new Promise((r) => setTimeout(r, 1500));
    }
    const want = [...sent].sort();
    await waitFor(async () => (await contents(dir)).length >= want.length, 'every line in HDFS', 60_000);
    expect(await contents(dir)).toEqual(want);
    const log = agent.stderr();
    expect(log).toMatch(/got a WebHDFS delegation token/);
    expect(log).toMatch(/fetching a new one/); // the max-lifetime passed: renewal refused, a new token
    expect(log).not.toMatch(/BEGIN|\\x05\\x02/); // no keytab bytes
    const owner = (await reader.listStatus(dir))[0]?.owner;
    expect(owner).toBe('flume');
  }, 150_000);

  it('hdfs.proxyUser: the token is issued for the proxy user, files belong to it', async () => {
    const dir = `${base}/proxy`;
    const { port } = await agentOn(
      dir,
      `a1.sinks.k1.hdfs.kerberosPrincipal = ${client.principal}\na1.sinks.k1.hdfs.kerberosKeytab = ${client.keytab}\na1.sinks.k1.hdfs.proxyUser = alice`,
    );
    expect(await sendLines(port, ['p1', 'p2'])).toEqual(['OK', 'OK']);
    await waitFor(async () => (await contents(dir)).length === 2, 'proxy lines in HDFS', 30_000);
    expect((await reader.listStatus(dir))[0]?.owner).toBe('alice');
  }, 60_000);

  it('a missing keytab: a clear error naming the principal, the agent stays up and delivers once the keytab is there', async () => {
    const dir = `${base}/late-keytab`;
    const keytab = path.join(tmpDir('flume-ts-keytab-'), 'late.keytab');
    const { agent, port } = await agentOn(
      dir,
      `a1.sinks.k1.hdfs.kerberosPrincipal = ${client.principal}\na1.sinks.k1.hdfs.kerberosKeytab = ${keytab}`,
    );
    expect(await sendLines(port, ['m1', 'm2'])).toEqual(['OK', 'OK']);
    await waitFor(() => agent.stderr().includes('Keytab is not a readable file'), 'keytab error in the log', 30_000);
    expect(agent.stderr()).toContain(client.principal);
    fs.copyFileSync(client.keytab, keytab);
    await waitFor(async () => (await contents(dir)).length === 2, 'lines in HDFS after the keytab appeared', 60_000);
    expect(agent.child.exitCode).toBeNull();
  }, 90_000);

  it('a principal the keytab has no key for: the error names it and what to check; nothing is taken for lost', async () => {
    const dir = `${base}/wrong-principal`;
    const { agent, port } = await agentOn(
      dir,
      `a1.sinks.k1.hdfs.kerberosPrincipal = nobody@${svc.kdc.realm}\na1.sinks.k1.hdfs.kerberosKeytab = ${client.keytab}`,
    );
    expect(await sendLines(port, ['w1'])).toEqual(['OK']);
    await waitFor(() => /nobody@FLUME\.TEST.*(klist -kt|keytab)/.test(agent.stderr()), 'principal error in the log', 30_000);
    expect(agent.child.exitCode).toBeNull();
  }, 60_000);

  it("two hdfs sinks with different principals: the second is refused with Flume's message", async () => {
    const other = svc.kdc.addPrincipal('other');
    const { agent } = await agentOn(
      `${base}/two`,
      [
        `a1.sinks.k1.hdfs.kerberosPrincipal = ${client.principal}`,
        `a1.sinks.k1.hdfs.kerberosKeytab = ${client.keytab}`,
        'a1.sinks = k1 k2',
        'a1.sinks.k2.type = hdfs',
        'a1.sinks.k2.channel = c1',
        `a1.sinks.k2.hdfs.path = hdfs://127.0.0.1:${hdfs.ports.rpc}${base}/two-b`,
        `a1.sinks.k2.hdfs.kerberosPrincipal = ${other.principal}`,
        `a1.sinks.k2.hdfs.kerberosKeytab = ${other.keytab}`,
      ].join('\n'),
    );
    await waitFor(() => agent.stderr().includes('Cannot use multiple kerberos principals in the same agent'), 'refusal', 30_000);
    expect(agent.child.exitCode).toBeNull();
  }, 60_000);
});
