/**
 * Flume's HBase sinks — hbase (HBaseSink), hbase2 (HBase2Sink) and asynchbase (AsyncHBaseSink) — writing to HBase 2
 * through its own RPC protocol (./client.ts): ZooKeeper (zookeeperQuorum, znodeParent) → hbase:meta → region servers.
 * A batch: every event through the serializer, then all puts (one Multi per region server), then the increments
 * (coalesced per row/family/column with coalesceIncrements); the transaction commits only after HBase acknowledged
 * every mutation, else it rolls back and the batch is taken again.
 */
import { defineComponent, prop, type SinkContext, type SpecProblem, subProperties } from '../../../config/spec.js';
import type { Channel } from '../../../core/channel.js';
import { BatchingSink } from '../../../core/abstract-sink.js';
import { FlumeError } from '../../../core/errors.js';
import type { Event } from '../../../core/event.js';
import type { Logger } from '../../../core/logging.js';
import { claimKerberosPrincipal, kerberosLogin } from '../../shared/kerberos.js';
import { HBaseClient, type HBaseClientOptions, type Mutation } from './client.js';
import { type Protection, parseProtection } from './sasl.js';
import { type HBaseSerializer, SERIALIZERS, createSerializer } from './serializers.js';
import { idleCloseMs, loadHBaseSite } from './site.js';

export interface HBaseSinkOptions {
  table: string;
  columnFamily: string;
  batchSize: number;
  zookeeperQuorum: string;
  znodeParent: string;
  timeout: number;
  enableWal: boolean;
  coalesceIncrements: boolean;
  serializer: HBaseSerializer;
  /** Kerberos: the client principal and keytab, the region servers' principal pattern and hbase.rpc.protection. */
  kerberos?: { principal: string; keytab: string; serverPrincipal: string; protection: Protection[] };
  /** hbase.ipc.client.connection.minIdleTimeBeforeClose */
  idleCloseMs?: number;
}

/** Sums increments per row/family/qualifier, in byte order of the row (Flume's coalesceIncrements). */
export function coalesce(incs: Mutation[]): Mutation[] {
  const rows = new Map<string, { row: Buffer; cells: Map<string, { family: Buffer; qualifier: Buffer; amount: bigint }> }>();
  for (const m of incs) {
    const rk = m.row.toString('hex');
    const r = rows.get(rk) ?? { row: m.row, cells: new Map() };
    rows.set(rk, r);
    for (const c of m.cells) {
      const ck = `${c.family.toString('hex')}/${c.qualifier.toString('hex')}`;
      const cur = r.cells.get(ck);
      if (cur) cur.amount += c.amount ?? 0n;
      else r.cells.set(ck, { family: c.family, qualifier: c.qualifier, amount: c.amount ?? 0n });
    }
  }
  return [...rows.values()]
    .sort((a, b) => Buffer.compare(a.row, b.row))
    .map((r) => ({ type: 'increment' as const, row: r.row, cells: [...r.cells.values()] }));
}

export class HBaseSink extends BatchingSink {
  private client?: HBaseClient;
  private readonly family: Buffer;

  constructor(
    name: string,
    channel: Channel,
    logger: Logger,
    private readonly o: HBaseSinkOptions,
    private readonly kind: string,
  ) {
    super(name, channel, logger, o.batchSize);
    this.family = Buffer.from(o.columnFamily, 'utf8');
  }

  override async start(): Promise<void> {
    const k = this.o.kerberos;
    let security: HBaseClientOptions['security'];
    if (k) {
      try {
        const login = await kerberosLogin(k.principal, k.keytab, this.logger);
        security = { login, serverPrincipal: k.serverPrincipal, protection: k.protection };
      } catch (err) {
        this.counter.increment('ConnectionFailedCount');
        throw err;
      }
    }
    const client = new HBaseClient({
      quorum: this.o.zookeeperQuorum,
      znodeParent: this.o.znodeParent,
      timeoutMs: this.o.timeout,
      logger: this.logger,
      security,
      idleCloseMs: this.o.idleCloseMs,
    });
    await client.start();
    try {
      await client.checkTable(this.o.table, this.family);
    } catch (err) {
      client.close();
      this.counter.increment('ConnectionFailedCount');
      throw err;
    }
    this.client = client;
    this.logger.info(
      {
        table: this.o.table,
        columnFamily: this.o.columnFamily,
        zookeeperQuorum: this.o.zookeeperQuorum,
        ...(security ? { principal: security.login.principal, serverPrincipal: k?.serverPrincipal, protection: k?.protection } : {}),
      },
      `${this.kind} sink started`,
    );
    this.counter.increment('ConnectionCreatedCount');
    await super.start();
  }

  override async stop(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    this.counter.increment('ConnectionClosedCount');
    await super.stop();
  }

  protected async deliver(events: Event[]): Promise<void> {
    const client = this.client;
    if (!client) throw new FlumeError('FLUME_HBASE_STATE', `sink ${this.name}: process() before start()`);
    const puts: Mutation[] = [];
    let incs: Mutation[] = [];
    for (const e of events) {
      const r = this.o.serializer.serialize(e, this.family);
      for (const p of r.puts) if (p.cells.length > 0) puts.push(p);
      incs.push(...r.increments);
    }
    const skipWal = !this.o.enableWal;
    if (puts.length > 0) await client.mutate(this.o.table, puts, skipWal);
    if (this.o.coalesceIncrements) incs = coalesce(incs);
    if (incs.length > 0) await client.mutate(this.o.table, incs, skipWal);
  }
}

/** Flume's hbase2 quorum rule: every entry host:port, one port for all. */
export function quorumProblem(q: string): string | undefined {
  let port: string | undefined;
  for (const hp of q.split(',')) {
    const parts = hp.split(':');
    if (parts.length < 2) return `Expected client port for the ZK node! ("${hp.trim()}" has no :port)`;
    const p = parts[1].trim();
    if (port !== undefined && port !== p) return 'All Zookeeper nodes in the quorum must use the same client port.';
    port = p;
  }
  return undefined;
}

const COMMON_NOTES =
  'Speaks HBase 2 RPC itself (ZooKeeper → hbase:meta → region servers; protobuf via protobufjs, cells in KeyValueCodec ' +
  "cell blocks as HBase 2's client sends them), so HBase 1.x clusters " +
  "are not supported. Of hbase-site.xml (the agent's --conf directory, then $HBASE_CONF_DIR) only the Kerberos keys and " +
  "hbase.ipc.client.connection.minIdleTimeBeforeClose are read: without zookeeperQuorum the quorum is 127.0.0.1:2181 (HBase's default). " +
  'A batch commits only after HBase acknowledged every put and increment (puts first, then increments, as Flume); region ' +
  'moves, splits and server restarts are followed within `timeout` ms (default 60000), then the batch rolls back. A ' +
  'rolled-back batch is written again: puts are idempotent (same key) except for keys the serializer makes per attempt ' +
  '(uuid/random/timestamp suffixes, the regex default key), and increments already applied are applied again. A missing ' +
  'table or column family stops the sink from starting (retried by the supervisor). Kerberos (kerberosPrincipal + ' +
  "kerberosKeytab, docs/security.md): SASL GSSAPI on every region-server connection as HBase 2's client, server principal " +
  'hbase.regionserver.kerberos.principal from hbase-site.xml (default hbase/_HOST@<client realm>), `_HOST` = canonical ' +
  'server host; one principal per process, tickets renewed from the keytab; a missing keytab or unknown principal is a ' +
  'retried error naming the principal (Flume drops the sink instead). hbase.rpc.protection must include authentication: ' +
  'integrity/privacy (every RPC wrapped) are refused (FLUME_HBASE_KERBEROS); no ticket-cache logins. Serializers: the Simple and Regex serializers of ' +
  'both packages and SimpleAsyncHbaseEventSerializer; other classes are refused. The regex serializer writes an empty ' +
  'value for an optional group that did not match (Flume fails the batch on it forever), and skips a Put with no columns.';

function common(defaultSerializer: string) {
  return {
    table: prop.string({ required: true, doc: 'The HBase table to write to (namespace:table or table).' }),
    columnFamily: prop.string({ required: true, doc: 'The column family to write to.' }),
    zookeeperQuorum: prop.string({ doc: "ZooKeeper servers of the HBase cluster (host:port,host:port). Default: HBase's 127.0.0.1:2181." }),
    znodeParent: prop.string({ default: '/hbase', doc: "HBase's root znode in ZooKeeper." }),
    batchSize: prop.long({ default: 100, min: 1, doc: 'Events per transaction (and per write to HBase).' }),
    coalesceIncrements: prop.boolean({ default: false, doc: 'Sum the increments of a batch per row/family/column before sending them.' }),
    enableWal: prop.boolean({
      default: true,
      doc: "Write to HBase's write-ahead log; false sends SKIP_WAL (data may be lost if a region server dies).",
    }),
    timeout: prop.long({ default: 60000, doc: 'Milliseconds a batch may take, retries included, before it is rolled back.' }),
    serializer: prop.string({ default: defaultSerializer, doc: `Serializer class: ${SERIALIZERS.join(', ')}.` }),
    kerberosPrincipal: prop.string({
      doc: 'Kerberos principal to log in as (`_HOST` = canonical local host name); with kerberosKeytab: SASL GSSAPI to HBase.',
    }),
    kerberosKeytab: prop.string({ doc: 'Keytab of kerberosPrincipal.' }),
  };
}

type CommonConfig = {
  table: string;
  columnFamily: string;
  zookeeperQuorum?: string;
  znodeParent: string;
  batchSize: number;
  coalesceIncrements: boolean;
  enableWal: boolean;
  timeout: number;
  serializer: string;
  kerberosPrincipal?: string;
  kerberosKeytab?: string;
};

function problems(c: CommonConfig, strictQuorum: boolean): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (strictQuorum && c.zookeeperQuorum) {
    const p = quorumProblem(c.zookeeperQuorum);
    if (p) out.push({ prop: 'zookeeperQuorum', message: p });
  }
  if (!SERIALIZERS.includes(c.serializer))
    out.push({ prop: 'serializer', message: `serializer ${c.serializer} is not available in flume-ts` });
  const principal = c.kerberosPrincipal;
  const keytab = c.kerberosKeytab;
  if ((principal === undefined) !== (keytab === undefined)) {
    out.push({
      prop: principal === undefined ? 'kerberosPrincipal' : 'kerberosKeytab',
      message:
        principal === undefined ? 'Principal can not be null when keytab is provided' : 'Keytab can not be null when Principal is provided',
      hint: 'set both kerberosPrincipal and kerberosKeytab, or neither',
    });
  } else if (principal !== undefined && (principal === '' || keytab === '')) {
    out.push({
      prop: principal === '' ? 'kerberosPrincipal' : 'kerberosKeytab',
      message: principal === '' ? 'Invalid Kerberos principal: ' : 'Invalid Kerberos keytab: ',
    });
  }
  return out;
}

/**
 * Kerberos settings of a sink: the login from kerberosPrincipal/kerberosKeytab, and from hbase-site.xml (as on Flume's
 * class path) hbase.security.authentication, hbase.regionserver.kerberos.principal (default hbase/_HOST@<the client's
 * realm>) and hbase.rpc.protection. `asyncPrincipal`: asynchbase's async.hbase.kerberos.regionserver.principal.
 */
export function kerberosOptions(
  c: Pick<CommonConfig, 'kerberosPrincipal' | 'kerberosKeytab'>,
  sink: string,
  site = loadHBaseSite(),
  asyncPrincipal?: string,
): HBaseSinkOptions['kerberos'] {
  const auth = site.get('hbase.security.authentication')?.toLowerCase();
  const where = site.files[0] ?? 'hbase-site.xml';
  if (!c.kerberosPrincipal || !c.kerberosKeytab) {
    if (auth === 'kerberos') {
      throw new FlumeError(
        'FLUME_HBASE_KERBEROS',
        `sink ${sink}: ${where} sets hbase.security.authentication = kerberos but the sink has no kerberosPrincipal and ` +
          'kerberosKeytab: flume-ts logs in from a keytab only (no ticket cache); set both on the sink',
      );
    }
    return undefined;
  }
  if (auth !== undefined && auth !== 'kerberos' && auth !== 'simple') {
    throw new FlumeError(
      'FLUME_HBASE_KERBEROS',
      `sink ${sink}: hbase.security.authentication = ${auth} (${where}) is not supported by flume-ts: use kerberos`,
    );
  }
  if (auth === 'simple') return undefined; // Flume logs in, but HBase's client then talks SIMPLE
  const protection = parseProtection(site.get('hbase.rpc.protection'));
  if (!protection.includes('authentication')) {
    throw new FlumeError(
      'FLUME_HBASE_KERBEROS',
      `sink ${sink}: hbase.rpc.protection = ${protection.join(',')} (${where}) is not supported by flume-ts, which speaks ` +
        'SASL without a security layer only (authentication): the cluster must accept authentication',
    );
  }
  claimKerberosPrincipal(c.kerberosPrincipal, c.kerberosKeytab);
  const realm = c.kerberosPrincipal.includes('@') ? `@${c.kerberosPrincipal.split('@').pop()}` : '';
  return {
    principal: c.kerberosPrincipal,
    keytab: c.kerberosKeytab,
    serverPrincipal: asyncPrincipal ?? site.get('hbase.regionserver.kerberos.principal') ?? `hbase/_HOST${realm}`,
    protection,
  };
}

function create(c: CommonConfig, ctx: SinkContext, kind: string, quorum: string | undefined, asyncPrincipal?: string): HBaseSink {
  const site = loadHBaseSite();
  const kerberos = kerberosOptions(c, ctx.name, site, asyncPrincipal);
  const serializer = createSerializer(c.serializer, subProperties(ctx.raw, 'serializer.'));
  return new HBaseSink(
    ctx.name,
    ctx.channel,
    ctx.logger,
    {
      table: c.table,
      columnFamily: c.columnFamily,
      batchSize: c.batchSize,
      zookeeperQuorum: quorum?.trim() || '127.0.0.1:2181',
      znodeParent: c.znodeParent,
      timeout: c.timeout > 0 ? c.timeout : 60000,
      enableWal: c.enableWal,
      coalesceIncrements: c.coalesceIncrements,
      serializer,
      kerberos,
      idleCloseMs: idleCloseMs(site),
    },
    kind,
  );
}

export const hbaseSink = defineComponent({
  kind: 'sink',
  type: 'hbase',
  fqcn: 'org.apache.flume.sink.hbase.HBaseSink',
  summary: "Writes events to an HBase table through a serializer (puts and increments), as Flume's HBaseSink.",
  compatibility: 'partial',
  notes: `${COMMON_NOTES} Flume's hbase sink is for HBase 1.x; here it writes to HBase 2 like hbase2.`,
  properties: common('org.apache.flume.sink.hbase.SimpleHbaseEventSerializer'),
  prefixes: { 'serializer.': 'Properties of the serializer (payloadColumn, incrementColumn, rowPrefix, suffix, regex, colNames, ...).' },
  check: (c) => problems(c, true),
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => create(c, ctx, 'hbase', c.zookeeperQuorum),
});

export const hbase2Sink = defineComponent({
  kind: 'sink',
  type: 'hbase2',
  fqcn: 'org.apache.flume.sink.hbase2.HBase2Sink',
  summary: "Writes events to an HBase 2 table through a serializer (puts and increments), as Flume's HBase2Sink.",
  compatibility: 'partial',
  notes: COMMON_NOTES,
  properties: common('org.apache.flume.sink.hbase2.SimpleHBase2EventSerializer'),
  prefixes: { 'serializer.': 'Properties of the serializer (payloadColumn, incrementColumn, rowPrefix, suffix, regex, colNames, ...).' },
  check: (c) => problems(c, true),
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => create(c, ctx, 'hbase2', c.zookeeperQuorum),
});

export const asyncHbaseSink = defineComponent({
  kind: 'sink',
  type: 'asynchbase',
  fqcn: 'org.apache.flume.sink.hbase.AsyncHBaseSink',
  summary: "Writes events to an HBase table through an async serializer, as Flume's AsyncHBaseSink.",
  compatibility: 'partial',
  notes:
    `${COMMON_NOTES} async.hbase.zookeeper.quorum and async.hbase.zookeeper.znode.parent override zookeeperQuorum and ` +
    'znodeParent, as in Flume; other async.* (asynchbase client tuning) are accepted and ignored. A quorum entry without ' +
    ':port uses 2181. maxConsecutiveFails is accepted; the client is rebuilt after every failed batch anyway.',
  properties: {
    ...common('org.apache.flume.sink.hbase.SimpleAsyncHbaseEventSerializer'),
    maxConsecutiveFails: prop.int({ default: 10, doc: 'Accepted for compatibility (Flume rebuilds its client after this many failures).' }),
  },
  prefixes: {
    'serializer.': 'Properties of the serializer (payloadColumn, incrementColumn, rowPrefix, suffix, incrementRow).',
    'async.': 'asynchbase client settings; hbase.zookeeper.quorum and hbase.zookeeper.znode.parent are used, the rest ignored.',
  },
  check: (c) => problems(c, false),
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => {
    const a = subProperties(ctx.raw, 'async.');
    const quorum = (a['hbase.zookeeper.quorum'] ?? c.zookeeperQuorum ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean)
      .map((h) => (h.includes(':') ? h : `${h}:2181`))
      .join(',');
    const znodeParent = a['hbase.zookeeper.znode.parent'] ?? c.znodeParent;
    if (a['hbase.security.auth.enable'] === 'true' && !(c.kerberosPrincipal && c.kerberosKeytab)) {
      throw new FlumeError(
        'FLUME_HBASE_KERBEROS',
        `sink ${ctx.name}: async.hbase.security.auth.enable = true logs asynchbase in through a JAAS section, which ` +
          'flume-ts does not read: set kerberosPrincipal and kerberosKeytab on the sink instead',
      );
    }
    return create({ ...c, znodeParent }, ctx, 'asynchbase', quorum || undefined, a['hbase.kerberos.regionserver.principal']);
  },
});
