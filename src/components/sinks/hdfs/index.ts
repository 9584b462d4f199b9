/**
 * `type = hdfs` (org.apache.flume.sink.hdfs.HDFSEventSink): the spec. Implementation in ./sink.ts, ./bucket-writer.ts,
 * ./formats.ts, ./sequence-file.ts, ./webhdfs.ts; escapes in src/components/shared/bucket-path.ts.
 */
import os from 'node:os';
import { defineComponent, prop, type SpecProblem } from '../../../config/spec.js';
import { BucketPath, resolveTimeZone, type RoundUnit } from '../../shared/bucket-path.js';
import { ConfigError, errorMessage } from '../../../core/errors.js';
import { CompressedStreamFormat, DataStreamFormat, SequenceFileFormat, resolveCodec, type FileFormat } from './formats.js';
import { HdfsSink } from './sink.js';
import { claimKerberosPrincipal, kerberosLogin } from '../../shared/kerberos.js';
import { SpnegoAuth } from './spnego.js';
import { normalizeAddress } from './webhdfs.js';
import { hadoopConfDirs, loadHadoopConf, resolveTarget } from './hadoop-conf.js';

/** The HDFS user (simple authentication; also the home directory of relative paths): as Hadoop picks it. */
const hdfsUser = (c: { 'hdfs.webhdfs.user'?: string }): string =>
  c['hdfs.webhdfs.user'] ?? process.env.HADOOP_USER_NAME ?? os.userInfo().username;

const FILE_TYPES = ['SequenceFile', 'DataStream', 'CompressedStream'] as const;
const INT_MAX = 2 ** 31 - 1;

function codecOf(name: string | undefined): { codec?: ReturnType<typeof resolveCodec>; error?: string } {
  if (name === undefined) return {};
  try {
    return { codec: resolveCodec(name) };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

export const hdfsSink = defineComponent({
  kind: 'sink',
  type: 'hdfs',
  fqcn: 'org.apache.flume.sink.hdfs.HDFSEventSink',
  summary:
    "Writes events into HDFS files (SequenceFile, DataStream or CompressedStream) through WebHDFS, with Flume's path escapes, rolling and naming.",
  compatibility: 'partial',
  notes: [
    "Talks WebHDFS (REST) instead of the Hadoop RPC client. Like Flume it reads Hadoop's client configuration (core-site.xml, hdfs-site.xml, each from the agent's --conf directory first, as on Flume's class path, then $HADOOP_CONF_DIR, else $HADOOP_HOME/etc/hadoop): a path without scheme or namenode is on fs.defaultFS (file:/// when none is configured) and a relative path is under /user/<user> (hdfs.webhdfs.user, else $HADOOP_USER_NAME, else the OS user), as Hadoop resolves it; `hdfs://nn:8020/p` is written through dfs.namenode.http-address (https-address with dfs.http.policy=HTTPS_ONLY) when it names that NameNode, else `http://nn:9870`; `hdfs://<nameservice>/p` of an HA nameservice (dfs.nameservices, dfs.ha.namenodes.<ns>, dfs.namenode.http-address.<ns>.<nn>) goes to its NameNodes in turn: a StandbyException (or a refused connection) fails over to the next NameNode, which is used until it fails in turn (tested with a MiniDFSCluster HA pair failed over mid-stream). `webhdfs://nn:port/p` and `swebhdfs://` (HTTPS) are used as given; `file:///p` writes to the local filesystem with the same bucketing, rolling, in-use names and renames (no .crc side files); hdfs.webhdfs.address (flume-ts) overrides the WebHDFS address, e.g. an HttpFS gateway (http://gateway:14000, the same API; not tested here). hadoop.security.authentication is not read: Kerberos is used when hdfs.kerberosPrincipal and hdfs.kerberosKeytab are set.",
    "Durability: each flush (the end of every transaction, before the commit) writes the batch with one CREATE or APPEND; WebHDFS answers after the DataNode pipeline acknowledged the bytes and closed the file, so a committed batch is on every replica and visible to readers — what Flume's hflush gives (neither fsyncs to disk, as hsync would).",
    'A failed write rolls the transaction back (the runner backs off and retries); the file is cut back to its last committed byte (TRUNCATE), renamed, and the retry writes a new file. In-use files left by a crash are renamed when the sink first writes to their bucket again (those whose name is `<inUsePrefix><filePrefix>.<digits>…<inUseSuffix>`; not done when both inUsePrefix and inUseSuffix are empty).',
    "Codecs: gzip (GzipCodec, .gz), default (DefaultCodec, .deflate) and deflate (DeflateCodec, .deflate) via node:zlib, snappy (SnappyCodec, .snappy; pure JS in Hadoop's block framing), for CompressedStream (one compressed member per flush, as Flume) and SequenceFile (BLOCK compression, as Flume). bzip2 (BZip2Codec, .bz2; through the system bzip2 program) and lz4 (Lz4Codec, .lz4; pure JS raw LZ4 blocks in Hadoop's block framing): Hadoop reads both without native libraries (checked with Hadoop 3.4's codecs). lzo and zstd are rejected at configuration time (Hadoop's ZStandardCodec needs the native libhadoop on the reading side, and Node 20 has no zstd).",
    'Accepted without effect: hdfs.minBlockReplicas (WebHDFS does not report the live pipeline, so no under-replication rolls), hdfs.rollTimerPoolSize, hdfs.useRawLocalFileSystem. hdfs.proxyUser is sent as WebHDFS `doas`. hdfs.threadsPoolSize is accepted (requests are asynchronous). flume-ts adds hdfs.webhdfs.transactionsInFlight (default 0 = enough for about 100000 events, at least 64): the next batches are taken and encoded while a request is on the wire, and their bytes share the next request of their file; each transaction still commits only when its own bytes are in HDFS (1 = strictly one at a time, as Flume). ' +
      'flume-ts adds hdfs.webhdfs.createLingerMs (default 1000): while the channel has a backlog, the bytes of a file not yet created ' +
      'wait (uncommitted) for its one CREATE, so that a file filled from a backlog costs one request instead of a CREATE and APPENDs; 0 = ship at once.',
    'An unknown hdfs.fileType, codec or serializer is a configuration error (Flume fails at the first event).',
    "Kerberos (hdfs.kerberosPrincipal + hdfs.kerberosKeytab, see docs/security.md): SPNEGO to the NameNode's HTTP/<canonical host> principal for delegation tokens (GETDELEGATIONTOKEN, renewer = the principal's first component), then `delegation=` on every NameNode and DataNode request, renewed at 3/4 of its lifetime and fetched again when renewal is refused; hdfs.proxyUser becomes `doas=` on the token request (the token then acts as that user). `_HOST` in the principal is this host's canonical name, and one principal and keytab per process as Flume (a second, different one is refused with Flume's message). The login is MIT Kerberos's client-keytab initiation (native `kerberos` module, loaded only when configured) into a private credential cache; it re-obtains tickets before they expire. Unlike Flume, a keytab that is missing or unusable at start is not a configuration error: the sink reports it (naming the principal and keytab) and retries, so the agent stays up.",
  ].join(' '),
  properties: {
    'hdfs.path': prop.string({
      required: true,
      doc:
        'Directory URI, with escapes (hdfs://namenode:8020/flume/%Y-%m-%d, hdfs://<HA nameservice>/p, webhdfs://host:9870/p, ' +
        "swebhdfs://…, file:///p), or a path on Hadoop's fs.defaultFS (/p; a relative path is under /user/<user>).",
    }),
    'hdfs.filePrefix': prop.string({ default: 'FlumeData', doc: 'File name prefix (escapes allowed).' }),
    'hdfs.fileSuffix': prop.string({ default: '', doc: 'File name suffix (no "." added); replaces the codec extension.' }),
    'hdfs.inUsePrefix': prop.string({ default: '', doc: 'Prefix of files being written.' }),
    'hdfs.inUseSuffix': prop.string({ default: '.tmp', doc: 'Suffix of files being written (removed by the rename on close).' }),
    'hdfs.emptyInUseSuffix': prop.boolean({ default: false, doc: 'No in-use suffix at all (hdfs.inUseSuffix is then ignored).' }),
    'hdfs.rollInterval': prop.long({ default: 30, doc: 'Seconds after which a file is closed; 0 = never by time.' }),
    'hdfs.rollSize': prop.long({ default: 1024, doc: 'Bytes of event bodies after which the file is rolled; 0 = never by size.' }),
    'hdfs.rollCount': prop.long({ default: 10, doc: 'Events after which the file is rolled; 0 = never by count.' }),
    'hdfs.idleTimeout': prop.int({ default: 0, doc: 'Seconds without writes after which a file is closed; 0 = never.' }),
    'hdfs.batchSize': prop.long({
      default: 100,
      min: 1,
      doc: 'Events per transaction; each transaction is flushed to HDFS before its commit.',
    }),
    'hdfs.codeC': prop.string({
      doc: 'Compression codec: gzip, default, deflate, snappy, bzip2 (needs the bzip2 program) or lz4 (Hadoop class names accepted).',
    }),
    'hdfs.fileType': prop.enum(FILE_TYPES, {
      default: 'SequenceFile',
      doc: 'SequenceFile, DataStream (no codec) or CompressedStream (codec required).',
    }),
    'hdfs.writeFormat': prop.enum(['Writable', 'Text'] as const, {
      default: 'Writable',
      doc: 'SequenceFile value type: Writable (BytesWritable) or Text.',
    }),
    'hdfs.maxOpenFiles': prop.int({ default: 5000, min: 1, doc: 'Open buckets kept; the least recently used is closed beyond it.' }),
    'hdfs.minBlockReplicas': prop.int({ min: 0, doc: 'Accepted; WebHDFS cannot report live replicas, so it has no effect.' }),
    'hdfs.callTimeout': prop.long({ default: 30000, min: 1, doc: 'Milliseconds a WebHDFS request may take.' }),
    'hdfs.threadsPoolSize': prop.int({
      default: 10,
      min: 1,
      doc: 'Accepted (requests are asynchronous; every bucket of a batch is flushed at once).',
    }),
    'hdfs.rollTimerPoolSize': prop.int({ default: 1, min: 1, doc: 'Accepted (timers need no threads).' }),
    'hdfs.kerberosPrincipal': prop.string({
      doc: 'Kerberos principal (`_HOST` = canonical local host name): SPNEGO to WebHDFS, then delegation tokens.',
    }),
    'hdfs.kerberosKeytab': prop.string({ doc: 'Keytab of hdfs.kerberosPrincipal.' }),
    'hdfs.proxyUser': prop.string({ doc: 'User to act as (WebHDFS doas; with Kerberos the delegation token is issued for it).' }),
    'hdfs.round': prop.boolean({ default: false, doc: 'Round the event time down (all time escapes except %t).' }),
    'hdfs.roundValue': prop.int({ default: 1, doc: 'Multiple to round down to (1..60 for second/minute, 1..24 for hour).' }),
    'hdfs.roundUnit': prop.string({ default: 'second', doc: 'second, minute or hour (anything else disables rounding).' }),
    'hdfs.timeZone': prop.string({ doc: 'Time zone of the escapes (an IANA id such as America/Los_Angeles); default the local zone.' }),
    'hdfs.useLocalTimeStamp': prop.boolean({ default: false, doc: 'Use the agent clock instead of the timestamp header for the escapes.' }),
    'hdfs.closeTries': prop.int({ default: 0, doc: 'Close/rename attempts for a file; 0 (or less) = until it succeeds.' }),
    'hdfs.retryInterval': prop.long({ default: 180, doc: 'Seconds between close/rename attempts; 0 (or less) = a single attempt.' }),
    'hdfs.useRawLocalFileSystem': prop.boolean({ default: false, doc: 'Accepted (no local file system here).' }),
    serializer: prop.string({
      default: 'TEXT',
      doc: 'DataStream/CompressedStream serializer: text, header_and_text, avro_event or a Builder class name.',
    }),
    'hdfs.webhdfs.address': prop.string({
      doc: "flume-ts: WebHDFS address (http://host:port, https://… or host:port); overrides Hadoop's configuration (dfs.namenode.http-address) and hdfs.path's host; also an HttpFS gateway.",
    }),
    'hdfs.webhdfs.transactionsInFlight': prop.int({
      default: 0,
      min: 0,
      doc:
        'flume-ts: transactions whose HDFS writes may overlap (their bytes share CREATE/APPEND requests; each still commits only when its own bytes are in HDFS). ' +
        '1 = one at a time, as Flume; 0 (default) = enough for about 100000 events in flight (100000 / hdfs.batchSize, at least 64). ' +
        "The channel's capacity bounds it too: events in flight are taken but not yet committed.",
    }),
    'hdfs.webhdfs.createLingerMs': prop.int({
      default: 1000,
      min: 0,
      doc:
        'flume-ts: while the channel has a backlog (full batches), how long the bytes of a file not yet created may wait ' +
        'so that the file goes to HDFS in one CREATE instead of a CREATE and APPENDs (each APPEND costs a DataNode open and close). ' +
        'Held transactions commit only once their bytes are in HDFS. Bytes are shipped at once when the channel runs dry, the file rolls ' +
        'or the transaction window is full. 0 = ship every batch at once.',
    }),
    'hdfs.webhdfs.user': prop.string({
      doc: 'flume-ts: user.name for WebHDFS simple authentication (default: $HADOOP_USER_NAME, else the OS user).',
    }),
  },
  prefixes: { 'serializer.': 'options of the serializer (e.g. serializer.appendNewline)' },
  serializer: { prop: 'serializer', when: (c) => c['hdfs.fileType'] !== 'SequenceFile' },
  batchSize: (c) => c['hdfs.batchSize'],
  check: (c, raw) => {
    const out: SpecProblem[] = [];
    const { codec, error } = codecOf(c['hdfs.codeC']);
    if (error) out.push({ prop: 'hdfs.codeC', message: error });
    if (c['hdfs.fileType'] === 'DataStream' && c['hdfs.codeC'] !== undefined) {
      out.push({
        prop: 'hdfs.codeC',
        message: `fileType: DataStream which does NOT support compressed output. Please don't set codeC or change the fileType if compressed output is desired.`,
      });
    }
    if (c['hdfs.fileType'] === 'CompressedStream' && !codec && !error) {
      out.push({
        prop: 'hdfs.fileType',
        message: "It's essential to set compress codec when fileType is: CompressedStream",
        hint: 'set hdfs.codeC = gzip',
      });
    }
    if (c['hdfs.round']) {
      const unit = c['hdfs.roundUnit'].toLowerCase();
      if (unit !== 'second' && unit !== 'minute' && unit !== 'hour') {
        out.push({
          prop: 'hdfs.roundUnit',
          severity: 'warning',
          message: `Rounding unit "${c['hdfs.roundUnit']}" is not valid, please set one of minute, hour, or second. Rounding will be disabled`,
        });
      } else {
        const max = unit === 'hour' ? 24 : 60;
        const v = c['hdfs.roundValue'];
        if (!(v > 0 && v <= max)) out.push({ prop: 'hdfs.roundValue', message: `Round value must be > 0 and <= ${max}` });
      }
    }
    const tz = c['hdfs.timeZone'];
    if (tz !== undefined && !resolveTimeZone(tz)) {
      out.push({
        prop: 'hdfs.timeZone',
        severity: 'warning',
        message: `unknown time zone "${tz}"; Flume (Java) silently uses GMT, and so does flume-ts`,
        hint: 'use an IANA id such as Europe/Berlin',
      });
    }
    if (c['hdfs.emptyInUseSuffix'] && raw['hdfs.inUseSuffix'] !== undefined) {
      out.push({
        prop: 'hdfs.inUseSuffix',
        severity: 'warning',
        message: 'Ignoring parameter hdfs.inUseSuffix because hdfs.emptyInUseSuffix = true',
      });
    }
    const principal = c['hdfs.kerberosPrincipal'];
    const keytab = c['hdfs.kerberosKeytab'];
    if ((principal === undefined) !== (keytab === undefined)) {
      out.push({
        prop: principal === undefined ? 'hdfs.kerberosPrincipal' : 'hdfs.kerberosKeytab',
        message:
          principal === undefined
            ? 'Principal can not be null when keytab is provided'
            : 'Keytab can not be null when Principal is provided',
        hint: 'set both hdfs.kerberosPrincipal and hdfs.kerberosKeytab, or neither',
      });
    } else if (principal !== undefined && (principal === '' || keytab === '')) {
      out.push({
        prop: principal === '' ? 'hdfs.kerberosPrincipal' : 'hdfs.kerberosKeytab',
        message: principal === '' ? 'Invalid Kerberos principal: ' : 'Invalid Kerberos keytab: ',
      });
    }
    for (const key of ['hdfs.path', 'hdfs.filePrefix'] as const) {
      try {
        new BucketPath(c[key]);
      } catch (err) {
        out.push({ prop: key, message: errorMessage(err) });
      }
    }
    const authority = /^[a-zA-Z][\w+.-]*:\/\/[^/]*/.exec(c['hdfs.path'])?.[0] ?? '';
    if (!authority.includes('%')) {
      try {
        resolveTarget(c['hdfs.path'], { conf: loadHadoopConf(hadoopConfDirs()), user: hdfsUser(c), address: c['hdfs.webhdfs.address'] });
      } catch (err) {
        // a path WebHDFS cannot reach (s3a://, …): Flume's Hadoop FileSystem takes any scheme with its jars on the class path
        out.push({ prop: 'hdfs.path', message: errorMessage(err), limit: true });
      }
    }
    if (c['hdfs.webhdfs.address'] !== undefined) {
      try {
        normalizeAddress(c['hdfs.webhdfs.address']);
      } catch (err) {
        out.push({ prop: 'hdfs.webhdfs.address', message: errorMessage(err) });
      }
    }
    return out;
  },
  create: (c, ctx) => {
    const unit = c['hdfs.roundUnit'].toLowerCase();
    const round = c['hdfs.round'] && (unit === 'second' || unit === 'minute' || unit === 'hour');
    const tz = c['hdfs.timeZone'];
    const escapeOpts = {
      timeZone: tz === undefined ? undefined : (resolveTimeZone(tz) ?? 'GMT'),
      round,
      roundUnit: unit as RoundUnit,
      roundValue: c['hdfs.roundValue'],
      useLocalTimeStamp: c['hdfs.useLocalTimeStamp'],
    };
    const codec = c['hdfs.codeC'] === undefined ? undefined : resolveCodec(c['hdfs.codeC']);
    const fileType = c['hdfs.fileType'];
    let newFormat: () => FileFormat;
    if (fileType === 'SequenceFile') {
      const wf = c['hdfs.writeFormat'];
      newFormat = () => new SequenceFileFormat(wf, codec);
    } else {
      const ser = ctx.serializer;
      if (!ser) throw new ConfigError(`sink ${ctx.name}: its serializer part was not configured (create sinks from a validated plan)`);
      newFormat =
        fileType === 'DataStream' ? () => new DataStreamFormat(ser.create()) : () => new CompressedStreamFormat(ser.create(), codec!);
    }
    const closeTries = c['hdfs.retryInterval'] <= 0 ? 1 : c['hdfs.closeTries'] <= 0 ? Infinity : c['hdfs.closeTries'];
    const suffix = c['hdfs.fileSuffix'].length > 0 ? c['hdfs.fileSuffix'] : (codec?.extension ?? '');
    const principal = c['hdfs.kerberosPrincipal'];
    const keytab = c['hdfs.kerberosKeytab'];
    const callTimeoutMs = Math.min(c['hdfs.callTimeout'], INT_MAX);
    // Flume refuses a second principal at configure time; the login itself happens on the first request
    if (principal !== undefined && keytab !== undefined) claimKerberosPrincipal(principal, keytab);
    const authFor =
      principal !== undefined && keytab !== undefined
        ? (baseUrl: string) =>
            new SpnegoAuth(
              new URL(baseUrl),
              () => kerberosLogin(principal, keytab, ctx.logger),
              c['hdfs.proxyUser'],
              ctx.logger,
              callTimeoutMs,
            )
        : undefined;
    return new HdfsSink(ctx.name, ctx.channel, ctx.logger, {
      batchSize: c['hdfs.batchSize'],
      path: new BucketPath(c['hdfs.path'], escapeOpts),
      filePrefix: new BucketPath(c['hdfs.filePrefix'], escapeOpts),
      bucket: {
        rollInterval: c['hdfs.rollInterval'],
        rollSize: c['hdfs.rollSize'],
        rollCount: c['hdfs.rollCount'],
        idleTimeout: c['hdfs.idleTimeout'],
        inUsePrefix: c['hdfs.inUsePrefix'],
        inUseSuffix: c['hdfs.emptyInUseSuffix'] ? '' : c['hdfs.inUseSuffix'],
        suffix,
        retryInterval: c['hdfs.retryInterval'],
        closeTries,
      },
      maxOpenFiles: c['hdfs.maxOpenFiles'],
      address: c['hdfs.webhdfs.address'] === undefined ? undefined : normalizeAddress(c['hdfs.webhdfs.address']),
      user: hdfsUser(c),
      hadoopConf: loadHadoopConf(hadoopConfDirs()),
      doAs: c['hdfs.proxyUser'],
      authFor,
      callTimeoutMs,
      parallelism: c['hdfs.threadsPoolSize'],
      transactionsInFlight: transactionsInFlight(c['hdfs.webhdfs.transactionsInFlight'], c['hdfs.batchSize']),
      createLingerMs: c['hdfs.webhdfs.createLingerMs'],
      newFormat,
      validate: fileType === 'SequenceFile' ? SequenceFileFormat.validate : undefined,
    });
  },
});

/**
 * hdfs.webhdfs.transactionsInFlight; 0 = auto. One APPEND costs a NameNode redirect plus a DataNode open/write/close
 * (0.1–0.7 s measured on the harness HDFS), one at a time per file, so small batches need many transactions sharing
 * each request: about 100000 events in flight, at least 64 transactions.
 */
export function transactionsInFlight(configured: number, batchSize: number): number {
  if (configured > 0) return configured;
  return Math.max(64, Math.ceil(100_000 / Math.max(1, batchSize)));
}
