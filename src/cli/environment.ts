/**
 * `flume-ts validate --check-environment`: what can be checked on this machine before the agent starts. Each finding
 * is a diagnostic at the property it is about (file:line:col), with a stable `env-…` code:
 * - listening ports free: a bind test on the configured host and port (TCP, or UDP for the UDP sources);
 * - directories present and writable: spoolDir and file_roll's sink.directory must exist (Flume does not create them);
 *   the file channel's checkpoint, backup and data directories and TAILDIR's position file directory are created
 *   by Flume when missing, so for them the nearest existing parent must be writable. Writability is probed by
 *   creating and removing a file (an access() check says yes to root even on a read-only mount);
 * - host names resolvable: sink hostnames (avro, thrift, irc), Elasticsearch hostNames, Kafka bootstrap servers.
 */
import { lookup } from 'node:dns/promises';
import dgram from 'node:dgram';
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic, PropertyEntry } from '../config/diagnostics.js';
import { mergeFiles, type AgentPlan, type ConfigFile } from '../config/model.js';

type Find = Omit<Diagnostic, 'at' | 'key'>;
type Check = { section: string; name: string; prop: string; run: () => Promise<Find | undefined> };

const UDP_SOURCES = new Set(['syslogudp', 'netcatudp']);
const START_RETRY = 'Flume starts the agent, but this component fails to start and is retried every 3 s';

function bindTest(host: string, port: number, udp: boolean): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (udp) {
      const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      s.bind(port, host, () => s.close(() => resolve(undefined)));
      return;
    }
    const s = net.createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(undefined)));
  });
}

function portCheck(host: string, port: number, udp: boolean, what: string): () => Promise<Find | undefined> {
  return async () => {
    const err = await bindTest(host, port, udp);
    if (!err) return undefined;
    return {
      severity: 'error',
      code: 'env-port-in-use',
      message: `${what} cannot listen on ${host}:${port}/${udp ? 'udp' : 'tcp'}: ${err === 'EADDRINUSE' ? 'the port is in use' : err}`,
      hint: err === 'EADDRINUSE' ? `stop what holds it (ss -l${udp ? 'u' : 't'}np), or choose another port` : undefined,
      flume: START_RETRY,
    };
  };
}

/** Creates and removes a file in `dir`: true when that works. */
function writable(dir: string): boolean {
  const probe = path.join(dir, `.flume-ts-write-check-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
    return true;
  } catch {
    return false;
  }
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return undefined;
  }
};

const expand = (p: string) => path.resolve(p.trim().replace(/^~(?=$|\/)/, os.homedir()));

/** `mustExist`: Flume needs the directory; otherwise it creates it, so its nearest existing parent must be writable. */
function dirCheck(dir: string, what: string, mustExist: boolean): () => Promise<Find | undefined> {
  return async () => {
    const abs = expand(dir);
    const d = isDir(abs);
    if (d === false)
      return { severity: 'error', code: 'env-directory-missing', message: `${what} ${dir} is not a directory`, flume: START_RETRY };
    if (d === undefined && mustExist) {
      return {
        severity: 'error',
        code: 'env-directory-missing',
        message: `${what} ${dir} does not exist`,
        hint: `mkdir -p ${dir.trim()}`,
        flume: START_RETRY,
      };
    }
    let at = abs;
    while (isDir(at) === undefined && path.dirname(at) !== at) at = path.dirname(at);
    if (writable(at)) return undefined;
    const message =
      at === abs ? `${what} ${dir} is not writable by this user` : `${what} ${dir} cannot be created: ${at} is not writable by this user`;
    return {
      severity: 'error',
      code: 'env-directory-not-writable',
      message,
      hint: 'fix its owner or mode, or run the agent as a user who can write there',
      flume: START_RETRY,
    };
  };
}

function hostCheck(host: string, what: string): () => Promise<Find | undefined> {
  return async () => {
    const timeout = new Promise<string>((r) => setTimeout(() => r('no answer within 3 s'), 3000).unref());
    const err = await Promise.race([
      lookup(host).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e.code ?? e.message,
      ),
      timeout,
    ]);
    if (!err) return undefined;
    return {
      severity: 'warning',
      code: 'env-host-unresolvable',
      message: `${what}: host ${host} does not resolve here (${err})`,
      hint: 'check the name and this machine’s DNS; the agent retries, so a name that resolves later still works',
      flume: 'Flume starts the agent; the component keeps failing to connect until the name resolves',
    };
  };
}

const list = (v: string | undefined, sep = /[\s,]+/) => (v ?? '').split(sep).filter((x) => x);
const hostOf = (hp: string) => (hp.startsWith('[') ? hp.slice(1, hp.indexOf(']')) : hp.split(':')[0]!);

function sourceChecks(plan: AgentPlan): Check[] {
  const out: Check[] = [];
  for (const s of plan.sources) {
    const type = s.spec.type.toLowerCase();
    const at = (prop: string, run: Check['run']) => out.push({ section: 'sources', name: s.name, prop, run });
    const host = s.raw.bind ?? s.raw.host ?? '0.0.0.0';
    if (s.raw.port !== undefined && Number.isInteger(Number(s.raw.port))) {
      at('port', portCheck(host.trim(), Number(s.raw.port), UDP_SOURCES.has(type), `source ${s.name}`));
    }
    if (type === 'multiport_syslogtcp')
      for (const p of list(s.raw.ports)) at('ports', portCheck(host.trim(), Number(p), false, `source ${s.name}`));
    if (type === 'spooldir' && s.raw.spoolDir) at('spoolDir', dirCheck(s.raw.spoolDir, `source ${s.name}: spoolDir`, true));
    if (type === 'taildir') {
      const pos = s.raw.positionFile ?? '~/.flume/taildir_position.json';
      at('positionFile', dirCheck(path.dirname(pos.trim()), `source ${s.name}: the positionFile directory`, false));
    }
    if (s.raw['kafka.bootstrap.servers']) {
      for (const hp of list(s.raw['kafka.bootstrap.servers'], /,/))
        at('kafka.bootstrap.servers', hostCheck(hostOf(hp.trim()), `source ${s.name}`));
    }
  }
  return out;
}

function channelAndSinkChecks(plan: AgentPlan): Check[] {
  const out: Check[] = [];
  for (const c of plan.channels) {
    const at = (prop: string, run: Check['run']) => out.push({ section: 'channels', name: c.name, prop, run });
    if (c.spec.type.toLowerCase() === 'file') {
      at('checkpointDir', dirCheck(c.raw.checkpointDir ?? '~/.flume/file-channel/checkpoint', `channel ${c.name}: checkpointDir`, false));
      for (const d of list(c.raw.dataDirs ?? '~/.flume/file-channel/data', /,/))
        at('dataDirs', dirCheck(d, `channel ${c.name}: dataDirs`, false));
      if (c.raw.useDualCheckpoints?.trim() === 'true' && c.raw.backupCheckpointDir) {
        at('backupCheckpointDir', dirCheck(c.raw.backupCheckpointDir, `channel ${c.name}: backupCheckpointDir`, false));
      }
    }
    if (c.raw['kafka.bootstrap.servers']) {
      for (const hp of list(c.raw['kafka.bootstrap.servers'], /,/))
        at('kafka.bootstrap.servers', hostCheck(hostOf(hp.trim()), `channel ${c.name}`));
    }
  }
  for (const k of plan.sinks) {
    const at = (prop: string, run: Check['run']) => out.push({ section: 'sinks', name: k.name, prop, run });
    if (k.spec.type === 'file_roll' && k.raw['sink.directory'])
      at('sink.directory', dirCheck(k.raw['sink.directory'], `sink ${k.name}: sink.directory`, true));
    if (k.raw.hostname) at('hostname', hostCheck(k.raw.hostname.trim(), `sink ${k.name}`));
    for (const hp of list(k.raw.hostNames, /,/)) at('hostNames', hostCheck(hostOf(hp.trim()), `sink ${k.name}`));
    for (const hp of list(k.raw['kafka.bootstrap.servers'], /,/))
      at('kafka.bootstrap.servers', hostCheck(hostOf(hp.trim()), `sink ${k.name}`));
  }
  return out;
}

/** Runs every check of the plan's components; findings carry the location of the property's value. */
export async function checkEnvironment(
  configs: readonly ConfigFile[],
  plan: AgentPlan,
  sysProps: Record<string, string> = {},
): Promise<Diagnostic[]> {
  const merged: Map<string, PropertyEntry> = mergeFiles(configs, { sysProps }, []);
  const checks = [...sourceChecks(plan), ...channelAndSinkChecks(plan)];
  const found = await Promise.all(checks.map((c) => c.run()));
  const out: Diagnostic[] = [];
  checks.forEach((c, i) => {
    const f = found[i];
    if (!f) return;
    const key = `${plan.name}.${c.section}.${c.name}.${c.prop}`;
    out.push({ ...f, key, at: merged.get(key)?.valueAt });
  });
  return out;
}
