/**
 * `type = hive` (org.apache.flume.sink.hive.HiveSink): the spec. Implementation in ./sink.ts (batches, writers LRU,
 * heartbeats), ./writer.ts (one end point), ./txn-batch.ts (transaction batches), ./serializers.ts + ./values.ts
 * (DELIMITED and JSON), ./bucket.ts (Hive's bucket hash), ./acid.ts + ./orc/ (the delta files),
 * ./metastore/ (Thrift client); escapes in src/components/shared/bucket-path.ts.
 */
import os from 'node:os';
import { type ConfigOf, defineComponent, prop, type SpecProblem } from '../../../config/spec.js';
import { errorMessage } from '../../../core/errors.js';
import { BucketPath, resolveTimeZone, type RoundUnit } from '../../shared/bucket-path.js';
import { normalizeAddress } from '../hdfs/webhdfs.js';
import { DelimitedSerializer, type HiveSerializer, JsonSerializer, parseDelimiterSpec, parseSerdeSeparatorSpec } from './serializers.js';
import { HiveSink } from './sink.js';

const DELIMITED_FQCN = 'org.apache.flume.sink.hive.HiveDelimitedTextSerializer';
const JSON_FQCN = 'org.apache.flume.sink.hive.HiveJsonSerializer';
const INT_MAX = 2 ** 31 - 1;

/** HiveSink.createSerializer: the alias (any case) or the exact class name. */
export function serializerKind(v: string): 'DELIMITED' | 'JSON' | undefined {
  if (v.toUpperCase() === 'DELIMITED' || v === DELIMITED_FQCN) return 'DELIMITED';
  if (v.toUpperCase() === 'JSON' || v === JSON_FQCN) return 'JSON';
  return undefined;
}

/** Flume's "must be positive, defaulting" properties: a negative value is a warning and the default is used. */
const NON_NEGATIVE = {
  'hive.txnsPerBatchAsk': 100,
  batchSize: 15000,
  idleTimeout: 0,
  callTimeout: 10000,
  heartBeatInterval: 240,
} as const;

const hdfsUser = (): string => process.env.HADOOP_USER_NAME ?? os.userInfo().username;

const properties = {
  'hive.metastore': prop.string({ required: true, doc: 'Metastore URI, thrift://host:port (e.g. thrift://127.0.0.1:9083).' }),
  'hive.database': prop.string({ required: true, doc: 'Hive database name.' }),
  'hive.table': prop.string({ required: true, doc: 'Hive table name (transactional, bucketed, stored as ORC).' }),
  'hive.partition': prop.string({
    doc: 'Comma-separated partition values, one per partition column in order; escapes allowed (e.g. %{country},%Y-%m-%d).',
  }),
  'hive.txnsPerBatchAsk': prop.int({ default: 100, doc: 'Transactions asked from the metastore at once (one per Flume batch).' }),
  heartBeatInterval: prop.int({ default: 240, doc: 'Seconds between heartbeats of the open transactions and locks; 0 = none.' }),
  autoCreatePartitions: prop.boolean({ default: true, doc: 'Create a missing partition.' }),
  batchSize: prop.int({ default: 15000, doc: 'Events per channel transaction (one Hive transaction per end point).' }),
  maxOpenConnections: prop.int({
    default: 500,
    doc: 'Writers (end points) kept open; beyond it idle ones or the least recently used are closed.',
  }),
  callTimeout: prop.int({ default: 10000, doc: 'Milliseconds a metastore or HDFS call may take; 0 = no limit.' }),
  idleTimeout: prop.int({ default: 0, doc: 'Writers unused this long (ms) are closed when maxOpenConnections is exceeded.' }),
  serializer: prop.string({ required: true, doc: 'DELIMITED or JSON (or their Flume class names).' }),
  'serializer.delimiter': prop.string({
    default: ',',
    doc: 'DELIMITED: input field separator, a Java regex; "\\t" style quotes are removed.',
  }),
  'serializer.fieldnames': prop.string({
    doc: 'DELIMITED (required): comma-separated table column of each input field; an empty name skips the field.',
  }),
  'serializer.serdeSeparator': prop.string({
    doc: "DELIMITED: separator handed to LazySimpleSerDe, one character or 'x' (default Ctrl-A).",
  }),
  round: prop.boolean({ default: false, doc: 'Round the event time down for the escapes (all but %t).' }),
  roundUnit: prop.string({ default: 'minute', doc: 'second, minute or hour (anything else disables rounding).' }),
  roundValue: prop.int({ default: 1, doc: 'Multiple to round down to (1..60 for second/minute, 1..24 for hour).' }),
  timeZone: prop.string({ doc: 'Time zone of the escapes (an IANA id); default the local zone.' }),
  useLocalTimeStamp: prop.boolean({ default: false, doc: 'Use the agent clock instead of the timestamp header for the escapes.' }),
  'hive.webhdfs.address': prop.string({
    doc: "flume-ts: WebHDFS address (http://host:port) of the table's file system; default from Hadoop's configuration (dfs.namenode.http-address), else port 9870 of the location's NameNode.",
  }),
};

type HiveConfig = ConfigOf<typeof properties>;

export const hiveSink = defineComponent({
  kind: 'sink',
  type: 'hive',
  fqcn: 'org.apache.flume.sink.hive.HiveSink',
  summary:
    'Streams events into a transactional (ACID) Hive table through its metastore: each batch is one Hive transaction, written as ORC insert deltas through WebHDFS.',
  compatibility: 'partial',
  notes: [
    "Talks to the Hive metastore's Thrift API itself (Hive 4 field ids; tested against a Hive 4.0.1 standalone metastore) and writes the ORC ACID delta files through WebHDFS, instead of Hive's hcatalog streaming client and the Hadoop client; Hive's own ACID reader reads them back (docs/hive.md).",
    'Each Hive transaction writes its own delta directory (delta_<writeId>_<writeId>/bucket_N, one ORC file per bucket with rows); hcatalog streaming writes one delta per transaction batch and flushes it per transaction with a _flush_length side file. Readers see the same rows; compaction merges both.',
    'Serializers: DELIMITED (serializer.delimiter split as Java String.split does, serializer.fieldnames mapping with empty names skipping fields, serializer.serdeSeparator, then LazySimpleSerDe-style text-to-type conversion: \\N and unparsable numbers are NULL) and JSON (field names case-insensitive, unknown fields ignored, missing ones NULL). A body the serde cannot read (malformed JSON, JSON that is not an object) is logged ("Parse failed") and skipped, as Flume does. A delimited line with fewer fields than serializer.fieldnames gets empty fields (NULL for non-string columns); Flume throws ArrayIndexOutOfBoundsException and retries the batch forever. A serializer class other than DELIMITED/JSON is refused.',
    "Bucketed tables with several buckets: each row goes to the bucket Hive's streaming writer computes (bucketing_version 2: Murmur3 as ObjectInspectorUtils.getBucketNumber; 1 or unset: the old Java hashCode); bucket columns of type timestamp, decimal or binary are refused.",
    'As Flume: a batch touching several partitions commits one transaction per partition, so a failure after some commits can redeliver (duplicate) the rows already committed; idleTimeout (compared with milliseconds, as Flume does) only matters when a new writer exceeds maxOpenConnections. Heartbeats: every heartBeatInterval s on every open transaction batch, also when the sink is idle (Flume heartbeats only at the next flush).',
    "hive.partition values may use every BucketPath escape of the hdfs sink (%{header}, %Y-%m-%d, %[localhost], %t, …) with round/roundUnit/roundValue, timeZone and useLocalTimeStamp. flume-ts adds hive.webhdfs.address (the WebHDFS address of the warehouse file system when Hadoop's configuration does not give it). Kerberos (hive.metastore SASL, HDFS SPNEGO) is not supported.",
  ].join(' '),
  properties,
  batchSize: (c) => (c.batchSize < 0 ? 15000 : c.batchSize),
  check: (c) => checkHive(c),
  create: (c, ctx) => {
    const unit = c.roundUnit.toLowerCase();
    const tz = c.timeZone;
    const escapeOpts = {
      timeZone: tz === undefined ? undefined : (resolveTimeZone(tz) ?? 'GMT'),
      round: c.round && (unit === 'second' || unit === 'minute' || unit === 'hour'),
      roundUnit: unit as RoundUnit,
      roundValue: c.roundValue,
      useLocalTimeStamp: c.useLocalTimeStamp,
    };
    const num = (k: keyof typeof NON_NEGATIVE): number => (c[k] < 0 ? NON_NEGATIVE[k] : c[k]);
    const callTimeout = num('callTimeout') === 0 ? INT_MAX : num('callTimeout');
    const serializer: HiveSerializer =
      serializerKind(c.serializer) === 'JSON'
        ? new JsonSerializer()
        : new DelimitedSerializer({
            delimiter: parseDelimiterSpec(c['serializer.delimiter']),
            fieldnames: c['serializer.fieldnames'] ?? '',
            serdeSeparator: parseSerdeSeparatorSpec(c['serializer.serdeSeparator']),
          });
    return new HiveSink(ctx.name, ctx.channel, ctx.logger, {
      metaStoreUri: c['hive.metastore'],
      database: c['hive.database'],
      table: c['hive.table'],
      partition: c['hive.partition']?.split(',').map((p) => new BucketPath(p, escapeOpts)),
      batchSize: num('batchSize'),
      maxOpenConnections: c.maxOpenConnections,
      idleTimeout: num('idleTimeout'),
      heartBeatInterval: num('heartBeatInterval'),
      deps: async () => {
        const { connectDeps } = await import('./deps.js');
        return connectDeps({
          metaStoreUri: c['hive.metastore'],
          webhdfsAddress: c['hive.webhdfs.address'],
          user: hdfsUser(),
          callTimeout,
          serializer,
          txnsPerBatch: num('hive.txnsPerBatchAsk') === 0 ? 1 : num('hive.txnsPerBatchAsk'),
          autoCreatePartitions: c.autoCreatePartitions,
          logger: ctx.logger,
        });
      },
    });
  },
});

function checkHive(c: HiveConfig): SpecProblem[] {
  const out: SpecProblem[] = [];
  for (const [k, d] of Object.entries(NON_NEGATIVE) as [keyof typeof NON_NEGATIVE, number][]) {
    if (c[k] < 0) out.push({ prop: k, severity: 'warning', message: `${k} must be  positive number. Defaulting to ${d}` });
  }
  if (c.batchSize === 0) out.push({ prop: 'batchSize', message: 'batchSize must be greater than 0' });
  if (!/^thrift:\/\/([^:/]+|\[[^\]]+\]):\d+\/?$/.test(c['hive.metastore'].trim())) {
    out.push({
      prop: 'hive.metastore',
      message: `"${c['hive.metastore']}" is not a thrift://host:port URI`,
      hint: 'e.g. thrift://127.0.0.1:9083',
    });
  }
  const kind = serializerKind(c.serializer);
  if (!kind) out.push({ prop: 'serializer', message: `Unable to instantiate serializer: ${c.serializer}`, hint: 'use DELIMITED or JSON' });
  if (kind === 'DELIMITED') {
    if (c['serializer.fieldnames'] === undefined) {
      out.push({ prop: 'serializer.fieldnames', message: `serializer.fieldnames is not specified for serializer ${DELIMITED_FQCN}` });
    }
    if (c['serializer.serdeSeparator'] !== undefined && parseSerdeSeparatorSpec(c['serializer.serdeSeparator']) === undefined) {
      out.push({ prop: 'serializer.serdeSeparator', message: 'serializer.serdeSeparator spec is invalid for DELIMITED serializer ' });
    }
    try {
      new DelimitedSerializer({ delimiter: parseDelimiterSpec(c['serializer.delimiter']), fieldnames: '' });
    } catch (err) {
      out.push({ prop: 'serializer.delimiter', message: `not a valid regular expression: ${errorMessage(err)}` });
    }
  }
  out.push(...checkEscapes(c));
  if (c['hive.webhdfs.address'] !== undefined) {
    try {
      normalizeAddress(c['hive.webhdfs.address']);
    } catch (err) {
      out.push({ prop: 'hive.webhdfs.address', message: errorMessage(err) });
    }
  }
  return out;
}

function checkEscapes(c: HiveConfig): SpecProblem[] {
  const out: SpecProblem[] = [];
  const unit = c.roundUnit.toLowerCase();
  if (unit !== 'second' && unit !== 'minute' && unit !== 'hour') {
    out.push({
      prop: 'roundUnit',
      severity: 'warning',
      message: 'Rounding unit is not valid, please set one of minute, hour or second. Rounding will be disabled',
    });
  } else {
    const max = unit === 'hour' ? 24 : 60;
    if (!(c.roundValue > 0 && c.roundValue <= max)) out.push({ prop: 'roundValue', message: `Round value must be > 0 and <= ${max}` });
  }
  if (c.timeZone !== undefined && !resolveTimeZone(c.timeZone)) {
    out.push({
      prop: 'timeZone',
      severity: 'warning',
      message: `unknown time zone "${c.timeZone}"; Flume (Java) silently uses GMT, and so does flume-ts`,
    });
  }
  for (const p of c['hive.partition']?.split(',') ?? []) {
    try {
      new BucketPath(p);
    } catch (err) {
      out.push({ prop: 'hive.partition', message: errorMessage(err) });
    }
  }
  return out;
}
