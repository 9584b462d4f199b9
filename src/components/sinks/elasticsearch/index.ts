/**
 * Flume 1.9's ElasticSearchSink (removed from Flume before 1.10) on Elasticsearch 7/8's HTTP bulk API.
 *
 * One transaction = one bulk request of up to batchSize documents, built by the LogStash or Dynamic serializer and
 * sent to the index the index name builder gives. Every item of the response is read: all 2xx → commit; any item
 * Elasticsearch may accept later (429, 5xx, anything but 400/404/409) or no usable response at all (connection
 * refused, timeout, a 429/5xx for the whole request) → roll back, the runner backs off and the whole batch is sent
 * again (duplicates unless documentIdHeader gives ids); items rejected for good (400 mapping or parse errors, 404,
 * 409) and events that cannot become documents → the dead-letter file (or the log), counted, and the rest commits.
 * See docs/elasticsearch.md.
 */
import { defineComponent, prop } from '../../../config/spec.js';
import { BatchingSink } from '../../../core/abstract-sink.js';
import type { Channel } from '../../../core/channel.js';
import type { Event } from '../../../core/event.js';
import { EventDeliveryError, errorMessage } from '../../../core/errors.js';
import type { Logger } from '../../../core/logging.js';
import { resolveTimeZone } from '../../shared/bucket-path.js';
import { EsClient, mapHostNames, type EsClientOptions, type EsResponse } from './client.js';
import { buildBulk, bulkPath, readBulkResponse, type BulkShape } from './bulk.js';
import { DeadLetterFile, type Rejected } from './dead-letter.js';
import { JavaDateFormat } from './date-format.js';
import { LOGSTASH_SERIALIZER, TIME_BASED_BUILDER, indexNamerFor, parseTtl, serializerFor } from './document.js';

export interface EsSinkOptions extends BulkShape {
  client: EsClientOptions;
  hostNotes: string[];
  batchSize: number;
  clusterName: string;
  clusterNameSet: boolean;
  /** Raw values of Flume properties that Elasticsearch 8 cannot honour (warned about at start). */
  indexType?: string;
  ttl?: string;
  pipeline?: string;
  onRejected: 'deadletter' | 'retry';
  deadLetterFile?: string;
}

const EXTRA_COUNTERS = ['DocumentRejectedCount', 'DeadLetterWriteCount', 'BulkRequestCount', 'RollbackCount'];

export class ElasticSearchSink extends BatchingSink {
  private client?: EsClient;
  private deadLetter?: DeadLetterFile;
  private readonly actions = new Map<string, string>();

  constructor(
    name: string,
    channel: Channel,
    logger: Logger,
    private readonly o: EsSinkOptions,
  ) {
    super(name, channel, logger, o.batchSize, EXTRA_COUNTERS);
  }

  override async start(): Promise<void> {
    await super.start();
    for (const n of this.o.hostNotes) this.logger.info(n);
    if (this.o.indexType !== undefined) {
      this.logger.warn(`indexType = ${this.o.indexType} is ignored: Elasticsearch 8 has no mapping types (every document is _doc)`);
    }
    if (this.o.ttl !== undefined) {
      this.logger.warn(
        `ttl = ${this.o.ttl} is not applied: Elasticsearch removed _ttl in 5.0. ` +
          'Delete old daily indices with an index lifecycle (ILM) policy whose delete phase has min_age = the ttl.',
      );
    }
    this.client = new EsClient(this.o.client);
    if (this.o.deadLetterFile) this.deadLetter = new DeadLetterFile(this.o.deadLetterFile, this.name);
    this.logger.info(
      { hosts: this.o.client.hosts, batchSize: this.o.batchSize, onRejected: this.o.onRejected, deadLetterFile: this.o.deadLetterFile },
      'Elasticsearch sink starting',
    );
    // do not hold the agent's start on Elasticsearch: check the cluster in the background
    void this.checkCluster();
  }

  override async stop(): Promise<void> {
    this.client?.close();
    if (this.client) this.counter.increment('ConnectionClosedCount');
    await this.deadLetter?.close();
    await super.stop();
    this.logger.info({ metrics: this.counter.snapshot() }, 'Elasticsearch sink stopped');
  }

  /** clusterName is what Flume's transport client joined; over HTTP it is only checked against _cluster/health. */
  private async checkCluster(): Promise<void> {
    try {
      const res = await this.client!.request('GET', '/_cluster/health?filter_path=cluster_name,status');
      const health = JSON.parse(res.body) as { cluster_name?: string; status?: string };
      this.counter.increment('ConnectionCreatedCount');
      const name = health.cluster_name;
      if (name !== undefined && name !== this.o.clusterName && this.o.clusterNameSet) {
        this.logger.warn(`clusterName = ${this.o.clusterName} but ${res.host} belongs to cluster "${name}"; writing to it anyway`);
      }
      this.logger.info({ host: res.host, cluster: name, status: health.status }, 'Elasticsearch cluster reachable');
    } catch (err) {
      this.counter.increment('ConnectionFailedCount');
      this.logger.warn({ err: errorMessage(err) }, 'Elasticsearch not reachable yet; deliveries will retry');
    }
  }

  protected async deliver(events: Event[]): Promise<void> {
    const build = buildBulk(events, this.o, this.actions);
    let rejected: Rejected[] = build.unserializable;
    if (build.sent.length > 0) {
      const outcome = await this.send(build.body, build.sent);
      rejected = rejected.concat(outcome);
    }
    if (rejected.length > 0) await this.handleRejected(rejected);
  }

  /** Sends one bulk request; returns the rejected items, throws (→ rollback) when anything must be retried. */
  private async send(body: string, sent: Parameters<typeof readBulkResponse>[1]): Promise<Rejected[]> {
    this.counter.increment('BulkRequestCount');
    let res: EsResponse;
    try {
      res = await this.client!.request('POST', bulkPath(this.o.pipeline), body);
    } catch (err) {
      this.counter.increment('ConnectionFailedCount');
      throw this.rollback(`bulk request of ${sent.length} document(s) got no response: ${errorMessage(err)}`, err);
    }
    if (res.status !== 200) {
      const what = `bulk request of ${sent.length} document(s) to ${res.host}`;
      throw this.rollback(`${what} answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    }
    const outcome = readBulkResponse(res.body, sent);
    if (outcome.retriable.length > 0) {
      const first = outcome.retriable[0]!;
      throw this.rollback(
        `${outcome.retriable.length} of ${sent.length} document(s) failed for now ` +
          `(first: index ${first.index}, HTTP ${first.status}, ${first.reason})`,
      );
    }
    return outcome.rejected;
  }

  private rollback(message: string, cause?: unknown): EventDeliveryError {
    this.counter.increment('RollbackCount');
    return new EventDeliveryError(`sink ${this.name}: ${message}; rolled back for retry`, { cause });
  }

  private async handleRejected(rejected: Rejected[]): Promise<void> {
    const shown = rejected.slice(0, 5);
    const where = this.deadLetter ? `dead-letter file ${this.deadLetter.path}` : 'not kept: set deadLetterFile';
    for (const r of shown) {
      this.logger.warn({ index: r.index, status: r.status, reason: r.reason }, `Elasticsearch rejected a document for good (${where})`);
    }
    const more = rejected.length - shown.length;
    if (more > 0) this.logger.warn(`... and ${more} more rejected document(s) in this batch`);
    if (this.o.onRejected === 'retry') {
      throw this.rollback(`${rejected.length} document(s) rejected (onRejected = retry, as Flume: the batch is sent again)`);
    }
    if (this.deadLetter) {
      await this.deadLetter.write(rejected);
      this.counter.add('DeadLetterWriteCount', rejected.length);
    }
    this.counter.add('DocumentRejectedCount', rejected.length);
  }
}

function blank(s: string | undefined): boolean {
  return s === undefined || s.trim() === '';
}

const BEYOND = ' (flume-ts; not in Flume)';

export const elasticsearchSink = defineComponent({
  kind: 'sink',
  type: 'elasticsearch',
  fqcn: 'org.apache.flume.sink.elasticsearch.ElasticSearchSink',
  summary: 'Indexes events into Elasticsearch 7/8 (daily indices, LogStash-style documents) with one bulk request per transaction.',
  compatibility: 'partial',
  notes:
    "Flume 1.9's sink (removed from Flume before 1.10; the alias is still in 1.11) over the HTTP bulk API instead of the " +
    'transport protocol. hostNames without a port or with 9300 (the transport port) go to HTTP port 9200 (logged); ' +
    'http(s):// URLs are taken as given. Documents and index names as Flume 1.9 made them (docs/elasticsearch.md). ' +
    'indexType is ignored (no mapping types in Elasticsearch 8) and ttl is not applied (no _ttl since 5.0; use ILM): ' +
    'both are warned about. clusterName is only compared with _cluster/health. Unlike Flume 1.9 (whose sink passed ' +
    'indexNameBuilder.* to the serializer by mistake), indexNameBuilder.dateFormat/timeZone are honoured. Only the two ' +
    'built-in serializers and index name builders exist (custom Java classes are a configuration error). Documents ' +
    'Elasticsearch rejects for good (400/404/409) go to deadLetterFile (or only the log) and are counted in ' +
    "DocumentRejectedCount; onRejected = retry restores Flume's block-and-retry. Beyond Flume: username/password, " +
    'apiKey, tls.caFile, pipeline, documentIdHeader, requestTimeout.',
  properties: {
    hostNames: prop.string({
      required: true,
      doc: 'Comma-separated host:port list (a missing port or 9300 means http://host:9200) or http(s):// URLs.',
    }),
    indexName: prop.string({
      default: 'flume',
      doc: 'Index name, or its prefix for the daily index <indexName>-<date>; %{header} and BucketPath escapes allowed.',
    }),
    indexType: prop.string({
      default: 'log',
      doc: "Flume 1.9's mapping type. Ignored (with a warning when set): Elasticsearch 8 has no types.",
    }),
    clusterName: prop.string({
      default: 'elasticsearch',
      doc: "Cluster name; a warning is logged when it differs from the cluster's (_cluster/health).",
    }),
    batchSize: prop.int({ default: 100, min: 1, doc: 'Events taken per transaction = documents per bulk request.' }),
    ttl: prop.string({
      doc:
        "Flume's document TTL (5d, 12h, 30m, 10s, 500ms, 2w; no unit = days). Checked as Flume did, then not applied " +
        '(no _ttl in Elasticsearch 5+; use ILM).',
      check: (v) => (blank(v) || parseTtl(v) > 0 ? undefined : 'ttl must be greater than 0 or not set.'),
    }),
    serializer: prop.string({
      default: LOGSTASH_SERIALIZER,
      doc: 'org.apache.flume.sink.elasticsearch.ElasticSearchLogStashEventSerializer or ...ElasticSearchDynamicSerializer.',
      check: (v) => (serializerFor(v) ? undefined : `${v} is not an ElasticSearchEventSerializer flume-ts knows (LogStash or Dynamic)`),
    }),
    indexNameBuilder: prop.string({
      default: TIME_BASED_BUILDER,
      doc: 'org.apache.flume.sink.elasticsearch.TimeBasedIndexNameBuilder (daily index) or ...SimpleIndexNameBuilder (indexName as is).',
      check: (v) =>
        indexNamerFor(v, 'x', 'yyyy-MM-dd', 'UTC') ? undefined : `${v} is not an index name builder flume-ts knows (TimeBased or Simple)`,
    }),
    'indexNameBuilder.dateFormat': prop.string({
      default: 'yyyy-MM-dd',
      doc: 'TimeBasedIndexNameBuilder date pattern (Java SimpleDateFormat letters y M d D E H k K h m s S a Z).',
      check: (v) => {
        try {
          new JavaDateFormat(v, resolveTimeZone('UTC')!);
          return undefined;
        } catch (err) {
          return errorMessage(err);
        }
      },
    }),
    'indexNameBuilder.timeZone': prop.string({
      default: 'Etc/UTC',
      doc: 'TimeBasedIndexNameBuilder time zone (Java id; an unknown id means GMT, as in Java).',
    }),
    client: prop.enum(['transport', 'rest'], {
      default: 'transport',
      doc: "Flume's client type; both send HTTP bulk requests (transport only changes how hostNames ports are read).",
    }),
    username: prop.string({ doc: `Basic authentication user${BEYOND}.` }),
    password: prop.string({ secret: true, doc: `Basic authentication password${BEYOND}.` }),
    apiKey: prop.string({ secret: true, doc: `Elasticsearch API key (the base64 "id:key" form), sent as Authorization: ApiKey${BEYOND}.` }),
    'tls.caFile': prop.string({ doc: `PEM file of the CA(s) to trust for https:// hosts${BEYOND}.` }),
    pipeline: prop.string({ doc: `Ingest pipeline for every document${BEYOND}.` }),
    documentIdHeader: prop.string({
      doc: `Header whose value becomes the document _id, so that a retried batch overwrites instead of duplicating${BEYOND}.`,
    }),
    onRejected: prop.enum(['deadletter', 'retry'], {
      default: 'deadletter',
      doc:
        'Documents rejected for good (400, 404, 409): deadletter = to deadLetterFile (or the log) and commit; ' +
        `retry = roll back and send again forever, as Flume 1.9${BEYOND}.`,
    }),
    deadLetterFile: prop.string({
      doc: `File (JSON lines: time, sink, index, status, reason, document, headers, body) for rejected documents${BEYOND}.`,
    }),
    requestTimeout: prop.int({ default: 30000, min: 1, doc: `Milliseconds to wait for a bulk response before rolling back${BEYOND}.` }),
  },
  prefixes: {
    'serializer.': 'Serializer settings (the built-in serializers take none).',
    'client.': "Flume's client settings (none are used).",
  },
  check: (c) => {
    const problems = [];
    try {
      if (mapHostNames(c.hostNames, c.client).hosts.length === 0) problems.push({ prop: 'hostNames', message: 'Missing Param:hostNames' });
    } catch (err) {
      problems.push({ prop: 'hostNames', message: errorMessage(err) });
    }
    if (!resolveTimeZone(c['indexNameBuilder.timeZone'])) {
      const message = `unknown time zone "${c['indexNameBuilder.timeZone']}": Java uses GMT`;
      problems.push({ prop: 'indexNameBuilder.timeZone', severity: 'warning' as const, message });
    }
    if (c.apiKey !== undefined && c.username !== undefined) {
      problems.push({ prop: 'apiKey', severity: 'warning' as const, message: 'both apiKey and username are set: the API key is used' });
    }
    return problems;
  },
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => {
    const indexName = blank(c.indexName) ? 'flume' : c.indexName;
    const mapping = mapHostNames(c.hostNames, c.client);
    return new ElasticSearchSink(ctx.name, ctx.channel, ctx.logger, {
      client: {
        hosts: mapping.hosts,
        username: c.username ?? mapping.username,
        password: c.password ?? mapping.password,
        apiKey: c.apiKey,
        caFile: c['tls.caFile'],
        requestTimeoutMs: c.requestTimeout,
      },
      hostNotes: mapping.notes,
      batchSize: c.batchSize,
      serializer: serializerFor(c.serializer)!,
      indexNamer: indexNamerFor(c.indexNameBuilder, indexName, c['indexNameBuilder.dateFormat'], c['indexNameBuilder.timeZone'])!,
      documentIdHeader: blank(c.documentIdHeader) ? undefined : c.documentIdHeader,
      clusterName: blank(c.clusterName) ? 'elasticsearch' : c.clusterName,
      clusterNameSet: ctx.raw.clusterName !== undefined,
      indexType: ctx.raw.indexType,
      ttl: blank(c.ttl) ? undefined : c.ttl,
      pipeline: blank(c.pipeline) ? undefined : c.pipeline,
      onRejected: c.onRejected,
      deadLetterFile: blank(c.deadLetterFile) ? undefined : c.deadLetterFile,
    });
  },
});
