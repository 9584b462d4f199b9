/**
 * Real Kafka / HDFS / Elasticsearch / Artemis for integration suites (see docs/services.md).
 *
 *   let svc: Services<'kafka'>;
 *   beforeAll(async () => { svc = await useServices(['kafka']); });
 *   afterAll(() => svc?.release());
 *   // svc.kafka.brokers → ['127.0.0.1:40123']
 *
 * A service already running (recorded in .services/state.json, e.g. by `npm run services -- start kafka`) is
 * reused and left running; one this call starts is stopped by `release()`, or, failing that, when this
 * process exits (a detached watchdog). Set FLUME_TS_SERVICES_KEEP=1 to leave started services running
 * for the next run (stop them with `npm run services -- stop`).
 */
import { startFlume, type FlumeOptions } from '../../scripts/services/flume.mjs';
import { startServices, stopServices, type ServiceInfo, type ServiceName } from '../../scripts/services/index.mjs';
import { addPrincipal, kdcEnv, type PrincipalOptions } from '../../scripts/services/kdc.mjs';
import { freePort, pidAlive, portOpen, stopPid, waitFor } from '../../scripts/services/lib.mjs';

export type { ServiceInfo, ServiceName };

export interface KafkaEndpoint {
  /** kafkajs `brokers` / Flume `kafka.bootstrap.servers` (join with ',') */
  brokers: string[];
  bootstrap: string;
  host: string;
  port: number;
}

export interface HdfsEndpoint {
  host: string;
  /** NameNode RPC port: fs.defaultFS = `hdfs://127.0.0.1:<rpcPort>` */
  rpcPort: number;
  /** NameNode HTTP port (WebHDFS) */
  httpPort: number;
  /** `hdfs://127.0.0.1:<rpcPort>` (Flume hdfs.path prefix) */
  fsUri: string;
  /** `http://127.0.0.1:<httpPort>/webhdfs/v1` */
  webhdfs: string;
  /** user name WebHDFS calls should pass as `user.name` (permissions are off anyway) */
  user: string;
}

export interface EsEndpoint {
  /** `http://127.0.0.1:<port>` for `new Client({ node })` */
  node: string;
  host: string;
  port: number;
}

export interface ArtemisEndpoint {
  /** JMS-style provider URL `tcp://127.0.0.1:<port>` (multi-protocol acceptor: AMQP, CORE, STOMP, OpenWire) */
  url: string;
  host: string;
  port: number;
  /** test user of the instance (anonymous access is allowed too) */
  user: string;
  password: string;
}

export interface KdcEndpoint {
  /** FLUME.TEST */
  realm: string;
  /** `127.0.0.1:<port>` (TCP and UDP) */
  kdc: string;
  host: string;
  port: number;
  /** client profile: KRB5_CONFIG=<krb5conf> (MIT), -Djava.security.krb5.conf=<krb5conf> (Java) */
  krb5conf: string;
  /** env for MIT tools / libkrb5 (KRB5_CONFIG, KRB5_KDC_PROFILE) on top of process.env */
  env: NodeJS.ProcessEnv;
  /**
   * Creates a principal (a bare name gets @FLUME.TEST) with a random key and writes its keytab; `maxLife`
   * ("30 seconds") caps the lifetime of its tickets for expiry tests.
   */
  addPrincipal(name: string, opts?: PrincipalOptions): { principal: string; keytab: string };
}

export interface HBaseEndpoint {
  /** `zookeeperQuorum` of the hbase sinks: `127.0.0.1:<zk port>` */
  quorum: string;
  host: string;
  zkPort: number;
}

export interface HiveEndpoint {
  /** `thrift://127.0.0.1:<port>` (hive.metastore) */
  metastore: string;
  host: string;
  port: number;
  /** `hdfs://127.0.0.1:<rpc>/warehouse` */
  warehouse: string;
}

interface Endpoints {
  kdc: KdcEndpoint;
  hbase: HBaseEndpoint;
  hive: HiveEndpoint;
  kafka: KafkaEndpoint;
  artemis: ArtemisEndpoint;
  hdfs: HdfsEndpoint;
  es: EsEndpoint;
}

export type Services<N extends ServiceName> = Pick<Endpoints, N> & {
  /** raw state-file records (pids, ports, logs, run dirs) */
  info: Record<N, ServiceInfo>;
  /** names this call started (the others were reused) */
  started: N[];
  /** stops what this call started (idempotent); reused services are left alone */
  release(): Promise<void>;
};

/** Starts (or reuses) the named services and returns their endpoints. Readiness is already waited for. */
export async function useServices<N extends ServiceName>(names: readonly N[]): Promise<Services<N>> {
  const keep = Boolean(process.env.FLUME_TS_SERVICES_KEEP);
  const { services, started } = await startServices(names, keep ? {} : { owner: process.pid });
  const out: Record<string, unknown> = { info: services, started };
  for (const n of names) out[n] = endpoint(services[n]);
  let released = false;
  out.release = async () => {
    if (released || started.length === 0 || keep) return;
    released = true;
    await stopServices(started);
  };
  return out as Services<N>;
}

function endpoint(
  info: ServiceInfo,
): KafkaEndpoint | HdfsEndpoint | EsEndpoint | ArtemisEndpoint | KdcEndpoint | HBaseEndpoint | HiveEndpoint {
  const host = info.host;
  switch (info.name) {
    case 'kafka': {
      const port = info.ports.broker;
      return { brokers: [`${host}:${port}`], bootstrap: `${host}:${port}`, host, port };
    }
    case 'hdfs':
      return {
        host,
        rpcPort: info.ports.rpc,
        httpPort: info.ports.http,
        fsUri: `hdfs://${host}:${info.ports.rpc}`,
        webhdfs: `http://${host}:${info.ports.http}/webhdfs/v1`,
        user: info.urls?.user ?? 'flume',
      };
    case 'es':
      return { node: `http://${host}:${info.ports.http}`, host, port: info.ports.http };
    case 'artemis': {
      const port = info.ports.broker;
      return { url: `tcp://${host}:${port}`, host, port, user: info.urls?.user ?? 'flume', password: info.urls?.password ?? 'flume' };
    }
    case 'kdc': {
      const dir = info.dir;
      return {
        realm: info.urls?.realm ?? 'FLUME.TEST',
        kdc: `${host}:${info.ports.kdc}`,
        host,
        port: info.ports.kdc,
        krb5conf: info.urls?.krb5conf ?? `${dir}/krb5.conf`,
        env: kdcEnv(dir),
        addPrincipal: (name, opts) => addPrincipal(dir, name, opts),
      };
    }
    case 'hbase':
      return { quorum: `${host}:${info.ports.zookeeper}`, host, zkPort: info.ports.zookeeper };
    case 'hive': {
      const port = info.ports.thrift;
      return { metastore: `thrift://${host}:${port}`, host, port, warehouse: info.urls?.warehouse ?? '' };
    }
    default:
      throw new Error(`unknown service ${info.name}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Real Apache Flume 1.11 agents (what `npm run flume -- agent …` runs)

export { freePort, portOpen, waitFor };
export type { FlumeOptions };

export interface FlumeAgent {
  pid: number;
  /** directory with flume.log (the agent's log4j2 output) and stdout.log */
  logDir: string;
  logFile: string;
  /** true while the JVM runs */
  alive(): boolean;
  /** SIGTERM (Flume's shutdown hook stops the components), SIGKILL after `graceMs` (default 15 s) */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a real Flume 1.11 agent (default heap 1g; pass `heap: '256m'` in tests). Does not wait for
 * readiness: wait for a source port with `waitFor('flume', () => portOpen(port), { alive: agent.alive })`.
 * The JVM is a child of this process; call `stop()` in afterAll.
 */
export function startFlumeAgent(o: FlumeOptions): FlumeAgent {
  const { child, pid, logDir, logFile } = startFlume(o);
  let exited = false;
  child.once('exit', () => (exited = true));
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  return {
    pid,
    logDir,
    logFile,
    alive: () => !exited && pidAlive(pid),
    stop: async (graceMs = 15_000) => {
      process.removeListener('exit', onExit);
      await stopPid(pid, graceMs);
    },
  };
}
