/**
 * The `flume-ng` command as Flume's users call it: version, an agent started with a conf directory (flume-env.sh,
 * JAVA_OPTS -D…), -Dflume.root.logger=…,LOGFILE with flume.log.dir, printconfig with secrets masked, and a reload by
 * SIGHUP that re-configures the memory channel in place (its queued events are kept and delivered after the change).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, freePort, ROOT, sendLines, tmpDir, waitFor } from '../support/agent-process.js';
import { startZooKeeper } from '../../scripts/services/zookeeper.mjs';

const FLUME_NG = path.join(ROOT, 'bin', 'flume-ng');

interface Proc {
  stderr: () => string;
  stop(sig?: NodeJS.Signals): Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
}

function start(args: string[], cwd: string): Proc {
  const child = spawn(FLUME_NG, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d.toString()));
  child.stdout!.on('data', (d) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return {
    stderr: () => err,
    signal: (s) => child.kill(s),
    async stop(sig = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      return exited;
    },
  };
}

let running: Proc | undefined;
afterEach(async () => {
  await running?.stop('SIGKILL');
  running = undefined;
});

async function channelSize(mport: number, ch: string): Promise<number> {
  const m = (await (await fetch(`http://127.0.0.1:${mport}/metrics`)).json()) as Record<string, Record<string, string>>;
  return Number(m[`CHANNEL.${ch}`]?.ChannelSize ?? -1);
}

describe('flume-ng', () => {
  it('version, unknown command, tool', () => {
    expect(execFileSync(FLUME_NG, ['version'], { encoding: 'utf8' })).toMatch(/^flume-ts \S+ \(compatible with Apache Flume 1\.11\.0/);
    let status = 0;
    try {
      execFileSync(FLUME_NG, ['bogus'], { stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBe(1);
    expect(execFileSync(FLUME_NG, ['agent', '--help'], { encoding: 'utf8' })).toMatch(/Examples:/);
  });

  it('runs an agent from a conf dir, logs to the rolling file, masks secrets, reloads on SIGHUP keeping the channel', async () => {
    const dir = tmpDir('flume-ng-');
    const [port, mport, dead] = [await freePort(), await freePort(), await freePort()];
    const conf = path.join(dir, 'conf');
    const out = path.join(dir, 'out');
    mkdirSync(conf);
    mkdirSync(out);
    writeFileSync(
      path.join(conf, 'flume-env.sh'),
      `export JAVA_OPTS="-Xmx20m -Dflume.monitoring.type=http -Dflume.monitoring.port=${mport}"\nFLUME_CLASSPATH=/opt/x/*\n`,
    );
    const base = `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = ${port}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
`;
    const file = path.join(conf, 'flume.conf');
    // phase 1: the sink cannot deliver (nothing listens), so the events stay in the channel
    writeFileSync(
      file,
      `${base}a1.channels.c1.capacity = 150\na1.channels.c1.transactionCapacity = 100\na1.sinks.k1.type = avro\na1.sinks.k1.channel = c1\na1.sinks.k1.hostname = 127.0.0.1\n` +
        `a1.sinks.k1.port = ${dead}\na1.sinks.k1.truststore-password = hunter2\n`,
    );
    const logs = path.join(dir, 'logs');
    running = start(
      [
        'agent',
        '-n',
        'a1',
        '-c',
        conf,
        '-f',
        file,
        '--no-reload-conf',
        '-Dflume.root.logger=INFO,LOGFILE',
        `-Dflume.log.dir=${logs}`,
      ].concat(['-Dorg.apache.flume.log.printconfig=true']),
      dir,
    );
    await waitFor(() => canConnect(port), 'netcat port');
    expect(await sendLines(port, ['e1', 'e2', 'e3', 'e4', 'e5'])).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
    await waitFor(async () => (await channelSize(mport, 'c1')) === 5, 'five events in the channel');
    // phase 2: a larger capacity and a working sink; SIGHUP applies it now (reloading by polling is off)
    writeFileSync(
      file,
      `${base}a1.channels.c1.capacity = 300\na1.channels.c1.transactionCapacity = 100\na1.sinks.k1.type = file_roll\na1.sinks.k1.channel = c1\na1.sinks.k1.sink.directory = ${out}\n`,
    );
    running.signal('SIGHUP');
    const delivered = () =>
      readdirSync(out)
        .map((f) => readFileSync(path.join(out, f), 'utf8'))
        .join('');
    await waitFor(() => delivered() === 'e1\ne2\ne3\ne4\ne5\n', 'the queued events delivered after the reload');
    expect(await running.stop()).toBe(0);
    const log = readFileSync(path.join(logs, 'flume.log'), 'utf8');
    expect(log).toMatch(/^\d\d \w{3} \d{4} \d\d:\d\d:\d\d,\d{3} INFO {2}\[cli\] - /);
    expect(log).toMatch(/Sourcing environment configuration script/);
    expect(log).toMatch(/-Xmx20m ignored/);
    expect(log).toMatch(/FLUME_CLASSPATH ignored/);
    expect(log).toMatch(/a1\.sinks\.k1\.truststore-password = \*{6}/);
    expect(log).not.toMatch(/hunter2/);
    expect(log).toMatch(/channel c1 reconfigured in place; its events are kept/);
    expect(running.stderr()).toBe('');
  });

  it('reads --conf-uri over http with basic auth, polls it and reloads when it changes', async () => {
    const [p1, p2, hport] = [await freePort(), await freePort(), await freePort()];
    const conf = (p: number) =>
      `a1.sources = r1\na1.channels = c1\na1.sinks = k1\na1.sources.r1.type = netcat\na1.sources.r1.bind = 127.0.0.1\n` +
      `a1.sources.r1.port = ${p}\na1.sources.r1.channels = c1\na1.channels.c1.type = memory\na1.sinks.k1.type = null\na1.sinks.k1.channel = c1\n`;
    let body = conf(p1);
    let modified = new Date(Date.now() - 60_000).toUTCString();
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.headers.authorization} ${req.headers['if-modified-since'] ?? '-'}`);
      if (req.headers.authorization !== `Basic ${Buffer.from('flume:s3cret').toString('base64')}`) res.writeHead(401).end();
      else if (req.headers['if-modified-since'] === modified) res.writeHead(304).end();
      else res.writeHead(200, { 'last-modified': modified }).end(body);
    });
    await new Promise<void>((r) => server.listen(hport, '127.0.0.1', r));
    try {
      const uri = `http://127.0.0.1:${hport}/a1.properties`;
      running = start(['agent', '-n', 'a1', '-u', uri, '-user', 'flume', '-pwd', 's3cret', '-i', '1', '--log-format', 'json'], tmpDir());
      await waitFor(() => canConnect(p1), 'the port of the first configuration');
      await waitFor(() => seen.some((s) => s.endsWith(modified)), 'a conditional GET');
      body = conf(p2);
      modified = new Date().toUTCString();
      await waitFor(() => canConnect(p2), 'the port of the changed configuration');
      expect(await running.stop()).toBe(0);
      for (const line of running.stderr().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      server.close();
    }
  });

  it('-Djavax.net.ssl.* are the global TLS settings (avro source without keystore properties, avro-client over TLS); rawdata', async () => {
    const dir = tmpDir('flume-ng-tls-');
    const fix = path.join(ROOT, 'test', 'fixtures', 'rpc');
    const [port, out] = [await freePort(), path.join(dir, 'out')];
    mkdirSync(out);
    const file = path.join(dir, 'tls.conf');
    writeFileSync(
      file,
      `a1.sources = r1\na1.channels = c1\na1.sinks = k1\na1.sources.r1.type = avro\na1.sources.r1.bind = 127.0.0.1\n` +
        `a1.sources.r1.port = ${port}\na1.sources.r1.ssl = true\na1.sources.r1.channels = c1\na1.channels.c1.type = memory\n` +
        `a1.sinks.k1.type = file_roll\na1.sinks.k1.channel = c1\na1.sinks.k1.sink.directory = ${out}\n`,
    );
    running = start(
      ['agent', '-n', 'a1', '-f', file, `-Djavax.net.ssl.keyStore=${fix}/keystore.p12`, '-Djavax.net.ssl.keyStorePassword=changeit'].concat(
        ['-Djavax.net.ssl.keyStoreType=PKCS12', '-Dflume.root.logger=DEBUG,console', '-Dorg.apache.flume.log.rawdata=true'],
      ),
      dir,
    );
    await waitFor(() => canConnect(port), 'the TLS avro source');
    writeFileSync(path.join(dir, 'rpc.properties'), `hosts = h1\nhosts.h1 = 127.0.0.1:${port}\nssl = true\n`);
    writeFileSync(path.join(dir, 'in.txt'), 'secure 1\nsecure 2\n');
    execFileSync(
      FLUME_NG,
      ['avro-client', '-P', path.join(dir, 'rpc.properties'), '-F', path.join(dir, 'in.txt')].concat([
        `-Djavax.net.ssl.trustStore=${fix}/server.crt`,
        '-Djavax.net.ssl.trustStoreType=PEM',
      ]),
    );
    const delivered = () =>
      readdirSync(out)
        .map((f) => readFileSync(path.join(out, f), 'utf8'))
        .join('');
    await waitFor(() => delivered() === 'secure 1\nsecure 2\n', 'both lines delivered over TLS');
    expect(await running.stop()).toBe(0);
    // rawdata + DEBUG: the avro source logs what it received, bodies included (Flume's AvroSource does the same)
    expect(running.stderr()).toMatch(/"body":"secure 2","msg":"Avro source r1: Received event"/);
  });

  it('reads the configuration from a real ZooKeeper (<basePath>/<agent>) and applies a change of the znode', async () => {
    const dir = tmpDir('flume-ng-zk-');
    const zk = await startZooKeeper(dir);
    const zkc = (await import('node-zookeeper-client')).default;
    const client = zkc.createClient(zk.connect);
    await new Promise<void>((r) => {
      client.once('connected', () => r());
      client.connect();
    });
    const call = (fn: (cb: (err: unknown) => void) => void) => new Promise<void>((r, j) => fn((err) => (err ? j(err) : r())));
    try {
      const [p1, p2] = [await freePort(), await freePort()];
      const conf = (p: number) =>
        `a1.sources = r1\na1.channels = c1\na1.sinks = k1\na1.sources.r1.type = netcat\na1.sources.r1.bind = 127.0.0.1\n` +
        `a1.sources.r1.port = ${p}\na1.sources.r1.channels = c1\na1.channels.c1.type = memory\na1.sinks.k1.type = null\n` +
        `a1.sinks.k1.channel = c1\n`;
      await call((cb) => client.mkdirp('/flume/a1', Buffer.from(conf(p1)), cb));
      running = start(['agent', '-n', 'a1', '-z', zk.connect, '-p', '/flume'], dir);
      await waitFor(() => canConnect(p1), 'the port of the configuration in ZooKeeper');
      await call((cb) => client.setData('/flume/a1', Buffer.from(conf(p2)), -1, cb));
      await waitFor(() => canConnect(p2), 'the port of the changed znode');
      expect(await running.stop()).toBe(0);
    } finally {
      client.close();
      await zk.stop();
    }
  });
});
