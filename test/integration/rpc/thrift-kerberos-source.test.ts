/**
 * The flume-ts thrift SOURCE with kerberos = true (SASL GSSAPI, QOP auth), against the harness's MIT KDC:
 * a real flume-ts agent (bin/flume-ts: thrift source kerberos = true → memory → file_roll) receives from
 *  - real Apache Flume 1.11's secure thrift sink (netcat → memory → thrift sink with kerberos = true);
 *  - the flume-ts thrift sink (in this process), whose tickets expire every 15 s during a 20 s run;
 * and refuses, with errors naming the principal and what to check, while staying up:
 *  - connections while its keytab is missing (delivered once it is copied in);
 *  - a client asking for a service principal that is not in its keytab;
 *  - a client without SASL (kerberos = false).
 * A source agent whose clock runs 10 minutes ahead (libfaketime): both sides name the clock skew. No keytab bytes may appear in any log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcSink } from '../../../src/components/rpc/rpc-sink.js';
import { thriftSink } from '../../../src/components/sinks/thrift.js';
import { canonicalLocalHost } from '../../../src/components/shared/kerberos.js';
import { createEvent } from '../../../src/core/event.js';
import { type AgentProcess, sendLines, startAgent, tmpDir } from '../../support/agent-process.js';
import { create, memory } from '../../support/context.js';
import { type FlumeAgent, freePort, portOpen, type Services, startFlumeAgent, useServices, waitFor } from '../../support/services.js';
import { pump, putAll } from './relay.js';

let svc: Services<'kdc'>;
let agent: AgentProcess;
let flume: FlumeAgent | undefined;
let dir: string;
let out: string;
let port: number;
let service: { principal: string; keytab: string };
let agentKeytab: string;
let client: { principal: string; keytab: string };
const keytabs: string[] = [];
const sinks: RpcSink[] = [];
let skewed: AgentProcess | undefined;
let skewSender: AgentProcess | undefined;
/** log texts checked for keytab bytes at the end */
const logs: string[] = [];
const FAKETIME_LIBS = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'];

beforeAll(async () => {
  svc = await useServices(['kdc']);
  process.env.KRB5_CONFIG = svc.kdc.krb5conf;
  // flume/_HOST resolves to this host's canonical name: localhost here, maybe another name elsewhere
  service = svc.kdc.addPrincipal(`flume/${await canonicalLocalHost()}`);
  // the client's tickets (TGT and service ticket) last 15 s: a 20 s run crosses their expiry
  client = svc.kdc.addPrincipal('ts-client', { maxLife: '15 seconds' });
  keytabs.push(service.keytab, client.keytab);
  dir = tmpDir('flume-ts-thrift-krb-source-');
  out = path.join(dir, 'out');
  fs.mkdirSync(out);
  // the agent starts without its keytab: the first test copies it in
  agentKeytab = path.join(dir, 'agent.keytab');
  port = await freePort();
  agent = startAgent(
    `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = thrift
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.sources.r1.kerberos = true
a1.sources.r1.agent-principal = flume/_HOST@${svc.kdc.realm}
a1.sources.r1.agent-keytab = ${agentKeytab}
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${out}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = 1
`,
  );
  await waitFor('flume-ts secure thrift source', async () => portOpen(port), { timeoutMs: 30_000 });
}, 60_000);

afterAll(async () => {
  for (const s of sinks) await s.stop().catch(() => undefined);
  await flume?.stop();
  await agent?.stop();
  await skewed?.stop();
  await skewSender?.stop();
  await svc?.release();
});

function sink(raw: Record<string, string>): RpcSink {
  const ch = memory('c1', 10_000, 1000);
  const s = create(thriftSink, { hostname: '127.0.0.1', port: String(port), 'batch-size': '20', ...raw }, { name: 'k1', channel: ch });
  const rs = s as unknown as RpcSink;
  sinks.push(rs);
  return rs;
}

function secureSink(serverPrincipal: string, raw: Record<string, string> = {}): RpcSink {
  return sink({
    kerberos: 'true',
    'client-principal': client.principal,
    'client-keytab': client.keytab,
    'server-principal': serverPrincipal,
    ...raw,
  });
}

function written(): string[] {
  return fs
    .readdirSync(out)
    .flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n'))
    .filter(Boolean);
}

/** Lines of file_roll's output from `prefix`, in order. */
const withPrefix = (prefix: string) => written().filter((l) => l.startsWith(prefix));

const events = (lines: string[]) => lines.map((l) => createEvent(Buffer.from(l), {}));

describe('thrift source kerberos = true (SASL GSSAPI) in a flume-ts agent', () => {
  it('a missing keytab: each connection is refused with an error naming the principal; delivered once it appears', async () => {
    const s = secureSink(service.principal);
    await s.start();
    const lines = Array.from({ length: 40 }, (_, i) => `keytab-late-${i}`);
    await putAll(s.channel, events(lines));
    await expect(s.process()).rejects.toThrow(`cannot read the keytab of ${service.principal}`);
    expect(s.channel.size()).toBe(40);
    await waitFor('keytab error in the agent log', async () => agent.stderr().includes('Keytab is not a readable file'), {
      timeoutMs: 10_000,
    });
    expect(agent.stderr()).toContain(`Kerberos login as ${service.principal}: Keytab is not a readable file: ${agentKeytab}`);
    fs.copyFileSync(service.keytab, agentKeytab);
    expect(await pump(s, 30_000)).toBe(0);
    await waitFor('file_roll output', async () => withPrefix('keytab-late-').length >= lines.length, { timeoutMs: 20_000 });
    expect(withPrefix('keytab-late-')).toEqual(lines);
  }, 60_000);

  it("real Flume 1.11's secure thrift sink delivers every event, in order", async () => {
    const fclient = svc.kdc.addPrincipal('flume-sink');
    keytabs.push(fclient.keytab);
    const ncPort = await freePort();
    const fdir = tmpDir('flume-thrift-krb-sink-');
    const confFile = path.join(fdir, 'flume.conf');
    fs.writeFileSync(
      confFile,
      `a2.sources = r1
a2.channels = c1
a2.sinks = k1
a2.sources.r1.type = netcat
a2.sources.r1.bind = 127.0.0.1
a2.sources.r1.port = ${ncPort}
a2.sources.r1.channels = c1
a2.channels.c1.type = memory
a2.channels.c1.capacity = 10000
a2.channels.c1.transactionCapacity = 1000
a2.sinks.k1.type = thrift
a2.sinks.k1.channel = c1
a2.sinks.k1.hostname = 127.0.0.1
a2.sinks.k1.port = ${port}
a2.sinks.k1.batch-size = 50
a2.sinks.k1.kerberos = true
a2.sinks.k1.client-principal = ${fclient.principal}
a2.sinks.k1.client-keytab = ${fclient.keytab}
a2.sinks.k1.server-principal = ${service.principal}
`,
    );
    flume = startFlumeAgent({
      confFile,
      name: 'a2',
      heap: '256m',
      logDir: path.join(dir, 'flume-logs'),
      args: ['--no-reload-conf'],
      props: { 'java.security.krb5.conf': svc.kdc.krb5conf },
    });
    await waitFor('flume netcat source', async () => portOpen(ncPort), {
      alive: () => flume!.alive(),
      logFile: flume.logFile,
      timeoutMs: 120_000,
    });
    const lines = Array.from({ length: 300 }, (_, i) => `from-flume-${i} ${'x'.repeat(i % 50)}`);
    const replies = await sendLines(ncPort, lines);
    expect(replies.every((r) => r === 'OK')).toBe(true);
    await waitFor('file_roll output', async () => withPrefix('from-flume-').length >= lines.length, {
      alive: () => flume!.alive(),
      logFile: flume.logFile,
      timeoutMs: 60_000,
    });
    expect(withPrefix('from-flume-')).toEqual(lines);
    expect(fs.readFileSync(flume.logFile, 'utf8')).not.toMatch(/SaslException|GSSException|TTransportException/);
    await flume.stop();
    flume = undefined;
  }, 180_000);

  it('the flume-ts thrift sink: 20 s across ticket expiry with new connections every 3 s, nothing lost', async () => {
    const s = secureSink(`flume/_HOST@${svc.kdc.realm}`, { 'reset-connection-interval': '3' });
    await s.start();
    const end = Date.now() + 20_000;
    const sent: string[] = [];
    for (let b = 0; Date.now() < end; b++) {
      const batch = Array.from({ length: 20 }, (_, i) => `expiry-${b}-${i}`);
      sent.push(...batch);
      await putAll(s.channel, events(batch));
      await pump(s, 20_000);
      await waitFor('batch written', async () => withPrefix('expiry-').length >= sent.length, { timeoutMs: 10_000, intervalMs: 50 });
    }
    expect(withPrefix('expiry-')).toEqual(sent);
  }, 90_000);

  it('a client asking for a service principal that is not in the keytab: refused, named, nothing lost', async () => {
    const other = svc.kdc.addPrincipal('other/localhost');
    const s = secureSink(other.principal);
    await s.start();
    await putAll(s.channel, events(['wrong-0', 'wrong-1']));
    await expect(s.process()).rejects.toThrow(/refused SASL GSSAPI as ts-client@FLUME\.TEST/);
    expect(s.channel.size()).toBe(2);
    await waitFor(
      'acceptor error in the agent log',
      async () => /Kerberos service flume\/\S+ could not authenticate/.test(agent.stderr()),
      {
        timeoutMs: 10_000,
      },
    );
    expect(agent.stderr()).toMatch(/check agent-principal \(flume\/\S+@FLUME\.TEST\), the clients' server-principal/);
    // the agent is still serving
    const good = secureSink(service.principal);
    await good.start();
    await putAll(good.channel, events(['after-wrong']));
    expect(await pump(good, 20_000)).toBe(0);
    await waitFor('delivered', async () => withPrefix('after-wrong').length === 1, { timeoutMs: 10_000 });
  }, 60_000);

  it('a client without SASL (kerberos = false) gets its connection closed with a clear log line', async () => {
    const s = sink({});
    await s.start();
    await putAll(s.channel, events(['plain']));
    await expect(s.process()).rejects.toThrow();
    expect(s.channel.size()).toBe(1);
    await waitFor(
      'not-SASL log line',
      async () => /is not a SASL negotiation message \(is kerberos = true on both sides\?\)/.test(agent.stderr()),
      {
        timeoutMs: 10_000,
      },
    );
  }, 30_000);

  it('a source host 10 minutes ahead (libfaketime): both sides name the clock skew and what to check', async () => {
    const lib = FAKETIME_LIBS.find((f) => fs.existsSync(f));
    expect(lib, 'libfaketime (Debian package faketime, installed by .ci/run)').toBeDefined();
    // MIT's initiator corrects its clock against the KDC (even with kdc_timesync = 0 in the GSS path), so the skew is
    // put on the acceptor: it checks the client's authenticator against its own clock
    const skewPort = await freePort();
    const skewKeytab = path.join(dir, 'skewed.keytab');
    fs.copyFileSync(service.keytab, skewKeytab);
    skewed = startAgent(
      `a3.sources = r1
a3.channels = c1
a3.sinks = k1
a3.sources.r1.type = thrift
a3.sources.r1.bind = 127.0.0.1
a3.sources.r1.port = ${skewPort}
a3.sources.r1.channels = c1
a3.sources.r1.kerberos = true
a3.sources.r1.agent-principal = ${service.principal}
a3.sources.r1.agent-keytab = ${skewKeytab}
a3.channels.c1.type = memory
a3.sinks.k1.type = null
a3.sinks.k1.channel = c1
`,
      [],
      'a3',
      { env: { ...process.env, LD_PRELOAD: lib, FAKETIME: '+10m', FAKETIME_DONT_FAKE_MONOTONIC: '1' } },
    );
    // the sender: a flume-ts agent with a principal of the default (10 h) ticket lifetime, on the true clock
    const sender = svc.kdc.addPrincipal('skew-sender');
    keytabs.push(sender.keytab);
    const ncPort = await freePort();
    skewSender = startAgent(
      `a4.sources = r1
a4.channels = c1
a4.sinks = k1
a4.sources.r1.type = netcat
a4.sources.r1.bind = 127.0.0.1
a4.sources.r1.port = ${ncPort}
a4.sources.r1.channels = c1
a4.channels.c1.type = memory
a4.sinks.k1.type = thrift
a4.sinks.k1.channel = c1
a4.sinks.k1.hostname = 127.0.0.1
a4.sinks.k1.port = ${skewPort}
a4.sinks.k1.kerberos = true
a4.sinks.k1.client-principal = ${sender.principal}
a4.sinks.k1.client-keytab = ${sender.keytab}
a4.sinks.k1.server-principal = ${service.principal}
`,
      [],
      'a4',
    );
    await waitFor('skewed agents', async () => (await portOpen(skewPort)) && (await portOpen(ncPort)), { timeoutMs: 30_000 });
    expect(await sendLines(ncPort, ['skew-0', 'skew-1'])).toEqual(['OK', 'OK']);
    await waitFor('skew error in the sender log', async () => /Clock skew too great/.test(skewSender!.stderr()), { timeoutMs: 30_000 });
    expect(skewSender.stderr()).toMatch(
      /refused SASL GSSAPI as skew-sender@FLUME\.TEST: .*Clock skew too great; this host's clock and the server's differ by more than the allowed skew/,
    );
    expect(skewed.stderr()).toMatch(
      /Kerberos service flume\/\S+ could not authenticate 127\.0\.0\.1:\d+: .*Clock skew too great; the client's clock and this host's differ by more than the allowed skew/,
    );
    expect(skewed.child.exitCode).toBeNull();
    expect(skewSender.child.exitCode).toBeNull();
    logs.push(skewed.stderr(), skewSender.stderr());
  }, 60_000);

  it('no keytab bytes in the logs', () => {
    const flumeLogs = fs
      .readdirSync(path.join(dir, 'flume-logs'), { recursive: true, encoding: 'utf8' })
      .map((f) => path.join(dir, 'flume-logs', f))
      .filter((f) => fs.statSync(f).isFile());
    expect(flumeLogs.length).toBeGreaterThan(0);
    logs.push(agent.stderr(), ...flumeLogs.map((f) => fs.readFileSync(f, 'latin1')));
    for (const k of keytabs) {
      const bytes = fs.readFileSync(k);
      // the key blocks: any 12 bytes from the second half of the file, raw, base64 or hex
      const key = bytes.subarray(bytes.length - 20, bytes.length - 8);
      for (const log of logs) {
        expect(log.includes(key.toString('latin1'))).toBe(false);
        expect(log.includes(key.toString('hex'))).toBe(false);
        expect(log.includes(bytes.toString('base64').slice(-24, -4))).toBe(false);
      }
    }
    expect(agent.child.exitCode).toBeNull();
  });
});
