/**
 * Flume's SpoolDirectorySource (core/source/SpoolDirectorySource.java): drains a directory of immutable files, one
 * batch at a time: read a batch, commit it to the channel(s), then store the position; a file is marked done only
 * after all of its events are committed. A refused batch is kept and retried with Flume's backoff (250 ms doubling
 * up to maxBackoff). Spooling-assumption violations stop the source until a restart, as in Flume.
 */
import path from 'node:path';
import { defineComponent, prop } from '../../../config/spec.js';
import type { ChannelProcessor, EventDrivenSource } from '../../../core/source.js';
import type { Logger } from '../../../core/logging.js';
import { ChannelError, ChannelFullError, FlumeError, errorMessage } from '../../../core/errors.js';
import { sourceCounter } from '../../../monitoring/counters.js';
import { compileJavaRegex, javaRegexProblem } from '../../interceptors/java-regex.js';
import { charsetOf, checkCharset, MalformedInputError } from '../text-codec.js';
import { SpoolReader, type DeserializerKind, type SpoolReaderOptions } from './reader.js';

export interface SpoolSourceOptions extends SpoolReaderOptions {
  batchSize: number;
  pollDelay: number;
  maxBackoff: number;
}

export class SpoolDirectorySource implements EventDrivenSource {
  readonly mode = 'eventDriven';
  readonly name: string;
  readonly counter;
  private reader?: SpoolReader;
  private stopping = false;
  private loopDone?: Promise<void>;
  private wake?: () => void;
  /** Set when a fatal error stopped ingestion (Flume's hasFatalError). */
  fatal?: FlumeError;

  constructor(
    name: string,
    private readonly o: SpoolSourceOptions,
    private readonly processor: ChannelProcessor,
    private readonly logger: Logger,
  ) {
    this.name = name;
    this.counter = sourceCounter(name);
  }

  async start(): Promise<void> {
    this.logger.info({ spoolDir: this.o.spoolDir }, 'SpoolDirectorySource source starting with directory');
    const reader = new SpoolReader(this.o, this.logger);
    reader.init();
    this.reader = reader;
    this.stopping = false;
    this.fatal = undefined;
    this.counter.start();
    this.loopDone = this.loop(reader);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loopDone;
    await this.reader?.close();
    this.reader = undefined;
    this.counter.stop();
    this.logger.info({ spoolDir: this.o.spoolDir }, `SpoolDir source ${this.name} stopped`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      this.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  private async loop(reader: SpoolReader): Promise<void> {
    let backoff = 250;
    while (!this.stopping) {
      let reading = true;
      try {
        // when the channels ask to, wait for their sinks before reading the next batch (Channel.pace)
        const wait = this.processor.pace?.();
        if (wait) await wait;
        const events = await reader.readEvents(this.o.batchSize);
        reading = false;
        if (events.length === 0) {
          await this.sleep(this.o.pollDelay);
          continue;
        }
        this.counter.add('EventReceivedCount', events.length);
        this.counter.increment('AppendBatchReceivedCount');
        try {
          await this.processor.processEventBatch(events);
        } catch (err) {
          if (!(err instanceof ChannelError)) throw err;
          this.counter.increment('ChannelWriteFail');
          const what =
            err instanceof ChannelFullError
              ? 'The channel is full, and cannot write data now.'
              : 'The channel threw an exception, and cannot write data now.';
          this.logger.warn(
            { err: errorMessage(err), retryInMs: backoff },
            `${what} The source will try again after ${backoff} milliseconds`,
          );
          await this.sleep(backoff);
          backoff = Math.min(backoff * 2, this.o.maxBackoff);
          continue;
        }
        reader.commit();
        backoff = 250;
        this.counter.add('EventAcceptedCount', events.length);
        this.counter.increment('AppendBatchAcceptedCount');
      } catch (err) {
        this.onFatal(err, reading, reader);
        return;
      }
    }
  }

  private onFatal(err: unknown, reading: boolean, reader: SpoolReader): void {
    this.counter.increment(reading ? 'EventReadFail' : 'GenericProcessingFail');
    const where = reader.where();
    const detail =
      err instanceof MalformedInputError
        ? `Input is not valid ${this.o.line.inputCharset} at byte ${err.offset} of ${where} ` +
          '(decodeErrorPolicy = FAIL; use REPLACE or IGNORE to read such files)'
        : errorMessage(err);
    this.fatal = err instanceof FlumeError ? err : new FlumeError('FLUME_SPOOL_IO', detail, { cause: err });
    this.logger.error(
      { code: (err as { code?: string }).code, file: where, err: detail },
      `FATAL: Spool Directory source ${this.name}: { spoolDir: ${this.o.spoolDir} }: Uncaught exception in SpoolDirectorySource thread. ` +
        'Restart or reconfigure flume-ts to continue processing.',
    );
  }
}

const DESERIALIZERS: Record<string, DeserializerKind> = {
  line: 'LINE',
  'org.apache.flume.serialization.linedeserializer$builder': 'LINE',
  avro: 'AVRO',
  'org.apache.flume.serialization.avroeventdeserializer$builder': 'AVRO',
  'org.apache.flume.sink.solr.morphline.blobdeserializer$builder': 'BLOB',
};

/** Java's Matcher.matches(): the whole name. */
function fullMatch(pattern: string): RegExp {
  const rx = compileJavaRegex(pattern);
  return new RegExp(`^(?:${rx.source})$`, rx.flags);
}

export const spoolDirSource = defineComponent({
  kind: 'source',
  type: 'spooldir',
  fqcn: 'org.apache.flume.source.SpoolDirectorySource',
  summary: 'Reads immutable files dropped into a directory, one event per line (or record, or blob), and marks each file done.',
  notes:
    'Position: after every committed batch the byte offset is appended to `<trackerDir>/.flumespool-main.meta` in ' +
    "Flume's own Avro format (real Flume resumes from it and flume-ts from Flume's); the file's inode and mtime are " +
    'kept beside it, so after kill -9 a file resumes at its last commit (at most one batch repeated), and a new file ' +
    "reusing a deleted file's name starts at 0. The empty event Flume emits for an empty file is emitted only when " +
    'the file is read from offset 0 (Flume also emits one when it resumes a file at its end). A file that cannot be ' +
    'opened (permissions) is logged once and skipped while other files go on (Flume retries it forever, blocking ' +
    'the directory). A file that vanishes while read is logged and forgotten. As in Flume, a file modified after it ' +
    'was placed, a name already completed, a rename that fails, and malformed input under decodeErrorPolicy=FAIL ' +
    'stop the source (FATAL log with the file and byte offset) until a restart; under FAIL the lines before the bad ' +
    'bytes are delivered first. Charsets: UTF-8, ISO-8859-1, US-ASCII. LINE keeps a 4-byte character whole at a ' +
    'maxLineLength cut (Flume splits the surrogate pair into two "?"). AVRO reads the file into memory; codecs null, ' +
    'deflate, snappy. BlobDeserializer is built in (no morphline jars needed).',
  properties: {
    spoolDir: prop.string({ required: true, doc: 'The directory to read files from.' }),
    fileSuffix: prop.string({
      default: '.COMPLETED',
      doc: 'Suffix appended to completely ingested files (or of the tracker-dir markers).',
    }),
    deletePolicy: prop.enum(['never', 'immediate'], { default: 'never', doc: 'When to delete completed files: never or immediate.' }),
    fileHeader: prop.boolean({ default: false, doc: 'Add a header with the absolute path of the file.' }),
    fileHeaderKey: prop.string({ default: 'file', doc: 'Header key for the absolute path.' }),
    basenameHeader: prop.boolean({ default: false, doc: 'Add a header with the file name.' }),
    basenameHeaderKey: prop.string({ default: 'basename', doc: 'Header key for the file name.' }),
    includePattern: prop.string({ default: '^.*$', doc: 'Java regex a file name must match (whole name).', check: javaRegexProblem }),
    ignorePattern: prop.string({
      default: '^$',
      doc: 'Java regex of file (and, recursive, directory) names to ignore; wins over includePattern.',
      check: javaRegexProblem,
    }),
    trackerDir: prop.string({
      default: '.flumespool',
      doc: 'Directory for the position file (and tracker_dir markers); relative to spoolDir unless absolute.',
    }),
    trackingPolicy: prop.enum(['rename', 'tracker_dir'], {
      default: 'rename',
      doc: 'With deletePolicy=never: rename completed files, or create a marker in trackerDir.',
    }),
    consumeOrder: prop.enum(['oldest', 'youngest', 'random'], {
      default: 'oldest',
      doc: 'Which file next: oldest or youngest modification time (ties: smallest name), or random.',
    }),
    pollDelay: prop.int({ default: 500, min: 0, doc: 'ms between directory scans when there is nothing to read.' }),
    recursiveDirectorySearch: prop.boolean({ default: false, doc: 'Also read files in subdirectories (not those starting with a dot).' }),
    maxBackoff: prop.int({ default: 4000, min: 0, doc: 'Maximum ms to wait when the channel is full (250 ms doubling).' }),
    batchSize: prop.int({ default: 100, min: 1, doc: 'Events per channel batch.' }),
    inputCharset: prop.string({ default: 'UTF-8', doc: 'Charset of the files (text deserializers).', check: checkCharset }),
    decodeErrorPolicy: prop.enum(['FAIL', 'REPLACE', 'IGNORE'], {
      default: 'FAIL',
      doc: 'Malformed input: FAIL stops the source, REPLACE puts U+FFFD, IGNORE drops the bytes.',
    }),
    deserializer: prop.string({
      default: 'LINE',
      doc: 'LINE, AVRO, or the FQCN of a deserializer builder (org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder).',
      check: (v) =>
        DESERIALIZERS[v.toLowerCase()]
          ? undefined
          : `unknown deserializer "${v}" (LINE, AVRO, or org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder)`,
    }),
    'deserializer.maxLineLength': prop.int({
      default: 2048,
      min: 1,
      doc: 'LINE: chars per event; a longer line is cut into several events.',
    }),
    'deserializer.outputCharset': prop.string({ default: 'UTF-8', doc: 'LINE: charset of the bodies.', check: checkCharset }),
    'deserializer.schemaType': prop.enum(['HASH', 'LITERAL'], {
      default: 'HASH',
      doc: 'AVRO: header flume.avro.schema.hash, or flume.avro.schema.literal.',
    }),
    'deserializer.maxBlobLength': prop.int({ default: 100000000, min: 1, doc: 'BlobDeserializer: bytes per event.' }),
    bufferMaxLineLength: prop.int({ min: 1, doc: 'Deprecated: when set and deserializer is LINE, overrides deserializer.maxLineLength.' }),
    bufferMaxLines: prop.int({ doc: 'Obsolete; ignored (as in Flume).' }),
  },
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => {
    const kind = DESERIALIZERS[c.deserializer.toLowerCase()]!;
    const lineOverride = c.bufferMaxLineLength !== undefined && c.deserializer.toLowerCase() === 'line';
    const maxLine = lineOverride ? c.bufferMaxLineLength! : c['deserializer.maxLineLength'];
    const trackerDir = path.isAbsolute(c.trackerDir) ? c.trackerDir : path.join(c.spoolDir, c.trackerDir);
    return new SpoolDirectorySource(
      ctx.name,
      {
        spoolDir: c.spoolDir,
        fileSuffix: c.fileSuffix,
        deletePolicy: c.deletePolicy,
        trackingPolicy: c.trackingPolicy,
        fileHeader: c.fileHeader ? c.fileHeaderKey : undefined,
        basenameHeader: c.basenameHeader ? c.basenameHeaderKey : undefined,
        includePattern: fullMatch(c.includePattern),
        ignorePattern: fullMatch(c.ignorePattern),
        trackerDir,
        consumeOrder: c.consumeOrder,
        recursive: c.recursiveDirectorySearch,
        deserializer: kind,
        line: {
          maxLineLength: maxLine,
          inputCharset: charsetOf(c.inputCharset)!,
          outputCharset: charsetOf(c['deserializer.outputCharset'])!,
          policy: c.decodeErrorPolicy,
        },
        maxBlobLength: c['deserializer.maxBlobLength'],
        avroSchemaType: c['deserializer.schemaType'],
        batchSize: c.batchSize,
        pollDelay: c.pollDelay,
        maxBackoff: c.maxBackoff,
      },
      ctx.processor,
      ctx.logger,
    );
  },
});
