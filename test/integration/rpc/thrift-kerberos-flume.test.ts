/**
 * Secure thrift (kerberos = true, SASL GSSAPI, QOP auth) between the flume-ts thrift sink and real Apache Flume 1.11's
 * ThriftSource with kerberos = true, both against the harness's MIT KDC. Flume's source writes what it accepted with a
 * file_roll sink; the lines must be exactly the events sent.
 * The other direction (Flume's secure thrift sink → flume-ts thrift source) is thrift-kerberos-source.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thriftSink } from '../../../src/components/sinks/thrift.js';
import type { RpcSink } from '../../../src/components/rpc/rpc-sink.js';
import { createEvent } from '../../../src/core/event.js';
import { tmpDir } from '../../support/agent-process.js';
import { create, memory } from '../../support/context.js';
import { type FlumeAgent, freePort, portOpen, type Services, startFlumeAgent, useServices, waitFor } from '../../support/services.js';
import { pump, putAll } from './relay.js';

let svc: Services<'kdc'>;
let flume: FlumeAgent | undefined;
let port: number;
let out: string;
let server: string;
const sinks: RpcSink[] = [];

beforeAll(async () => {
  svc = await useServices(['kdc']);
  process.env.KRB5_CONFIG = svc.kdc.krb5conf;
  const srv = svc.kdc.addPrincipal('flume/localhost');
  server = srv.principal;
  const dir = tmpDir('flume-ts-thrift-kerberos-');
  out = path.join(dir, 'out');
  fs.mkdirSync(out);
  port = await freePort();
  const confFile = path.join(dir, 'flume.conf');
  fs.writeFileSync(
    confFile,
    `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = thrift
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.sources.r1.kerberos = true
a1.sources.r1.agent-principal = ${srv.principal}
a1.sources.r1.agent-keytab = ${srv.keytab}
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${out}
a1.sinks.k1.sink.rollInterval = 0
`,
  );
  flume = startFlumeAgent({
    confFile,
    name: 'a1',
    heap: '256m',
    logDir: path.join(dir, 'logs'),
    args: ['--no-reload-conf'],
    props: { 'java.security.krb5.conf': svc.kdc.krb5conf },
  });
  await waitFor('flume secure thrift source', () => portOpen(port), {
    alive: () => flume!.alive(),
    logFile: flume.logFile,
    timeoutMs: 120_000,
  });
}, 180_000);

afterAll(async () => {
  for (const s of sinks) await s.stop().catch(() => undefined);
  await flume?.stop();
  await svc?.release();
});

function sink(raw: Record<string, string>): RpcSink {
  const ch = memory('c1', 10_000, 1000);
  const s = create(thriftSink, { hostname: '127.0.0.1', port: String(port), 'batch-size': '50', ...raw }, { name: 'k1', channel: ch });
  const rs = s as unknown as RpcSink;
  sinks.push(rs);
  return rs;
}

function written(): string[] {
  return fs
    .readdirSync(out)
    .flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n'))
    .filter(Boolean);
}

describe('thrift sink kerberos = true → Flume 1.11 secure ThriftSource (SASL GSSAPI)', () => {
  it('delivers every event through the SASL-authenticated transport', async () => {
    const client = svc.kdc.addPrincipal('thrift-client');
    const s = sink({
      kerberos: 'true',
      'client-principal': client.principal,
      'client-keytab': client.keytab,
      'server-principal': server,
    });
    await s.start();
    const lines = Array.from({ length: 500 }, (_, i) => `secure-${i}`);
    await putAll(
      s.channel,
      lines.map((l) => createEvent(Buffer.from(l), {})),
    );
    expect(await pump(s, 60_000)).toBe(0);
    await waitFor('file_roll output', async () => written().length >= lines.length, { timeoutMs: 30_000 });
    expect(written()).toEqual(lines);
    expect(fs.readFileSync(flume!.logFile, 'utf8')).not.toMatch(/SaslException|GSSException/);
  }, 120_000);

  it('a server-principal the KDC does not know: the batch is rolled back with an error that names it', async () => {
    const client = svc.kdc.addPrincipal('thrift-client');
    const s = sink({
      kerberos: 'true',
      'client-principal': client.principal,
      'client-keytab': client.keytab,
      'server-principal': `nosuch/localhost@${svc.kdc.realm}`,
    });
    await s.start();
    await putAll(s.channel, [createEvent(Buffer.from('x'), {})]);
    await expect(s.process()).rejects.toThrow(/as thrift-client@FLUME\.TEST to nosuch@localhost failed.*service principal/);
    expect(s.channel.size()).toBe(1);
  }, 60_000);
});
