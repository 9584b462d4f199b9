/**
 * Building one bulk request per transaction and reading every item of its response.
 */
import type { Event } from '../../../core/event.js';
import { FlumeError, errorMessage } from '../../../core/errors.js';
import type { IndexNamer, Serializer } from './document.js';
import type { Rejected } from './dead-letter.js';

export interface BulkBuild {
  body: string;
  /** The events that went into the body, in order (the response's items match them one to one). */
  sent: Array<{ event: Event; index: string; document: string }>;
  /** Events that could not become a document. */
  unserializable: Rejected[];
}

export interface BulkShape {
  serializer: Serializer;
  indexNamer: IndexNamer;
  documentIdHeader?: string;
}

export function buildBulk(events: readonly Event[], shape: BulkShape, actions: Map<string, string>): BulkBuild {
  let body = '';
  const sent: BulkBuild['sent'] = [];
  const unserializable: Rejected[] = [];
  for (const event of events) {
    let index = '';
    let document: string;
    try {
      index = shape.indexNamer.name(event);
      document = shape.serializer(event);
    } catch (err) {
      unserializable.push({ event, index, status: 0, reason: errorMessage(err) });
      continue;
    }
    const id = shape.documentIdHeader === undefined ? undefined : event.headers[shape.documentIdHeader];
    let action: string;
    if (id === undefined || id === '') {
      action = actions.get(index) ?? '';
      if (action === '') {
        action = `{"index":{"_index":${JSON.stringify(index)}}}\n`;
        if (actions.size > 1000) actions.clear();
        actions.set(index, action);
      }
    } else {
      action = `{"index":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}}}\n`;
    }
    body += `${action}${document}\n`;
    sent.push({ event, index, document });
  }
  return { body, sent, unserializable };
}

/** The bulk request's query string. filter_path keeps the response small: per item only its status and error. */
export function bulkPath(pipeline: string | undefined): string {
  const q = 'filter_path=errors,items.*.status,items.*.error';
  return `/_bulk?${q}${pipeline ? `&pipeline=${encodeURIComponent(pipeline)}` : ''}`;
}

/** Item statuses that will never succeed however often they are sent (Logstash's DLQ codes, plus 409). */
export const PERMANENT = new Set([400, 404, 409]);

interface EsError {
  type?: string;
  reason?: string;
  caused_by?: EsError;
}

export function errorReason(e: EsError | undefined): string {
  if (!e) return 'unknown error';
  let s = `${e.type ?? 'error'}: ${e.reason ?? ''}`;
  if (e.caused_by) s += ` (caused by ${e.caused_by.type ?? 'error'}: ${e.caused_by.reason ?? ''})`;
  return s;
}

/**
 * A 400 that every document would get until the configuration is fixed (the `pipeline` does not exist): retried,
 * not dead-lettered, so a typo in the pipeline name blocks the channel instead of emptying it into the dead letters.
 */
function isConfigError(e: EsError | undefined): boolean {
  return e?.type === 'illegal_argument_exception' && /^pipeline with id \[.*\] does not exist/.test(e.reason ?? '');
}

export interface BulkOutcome {
  ok: number;
  /** Items worth sending again (429, 5xx, …): the whole transaction is rolled back. */
  retriable: Array<{ status: number; reason: string; index: string }>;
  rejected: Rejected[];
}

/** A bulk response that is not what Elasticsearch sends (wrong item count, not JSON): retriable, logged. */
export class BulkResponseError extends FlumeError {
  constructor(message: string) {
    super('FLUME_ES_BULK_RESPONSE', message, { retriable: true });
  }
}

export function readBulkResponse(text: string, sent: BulkBuild['sent']): BulkOutcome {
  let json: { errors?: boolean; items?: Array<Record<string, { status?: number; error?: EsError }>> };
  try {
    json = JSON.parse(text);
  } catch {
    throw new BulkResponseError(`bulk response is not JSON: ${text.slice(0, 200)}`);
  }
  const items = json.items ?? [];
  if (items.length !== sent.length) {
    throw new BulkResponseError(`bulk response has ${items.length} items for ${sent.length} documents`);
  }
  const out: BulkOutcome = { ok: 0, retriable: [], rejected: [] };
  for (let i = 0; i < items.length; i++) {
    const r = Object.values(items[i]!)[0] ?? {};
    const status = r.status ?? 0;
    if (status >= 200 && status < 300) {
      out.ok++;
      continue;
    }
    const s = sent[i]!;
    const reason = errorReason(r.error);
    if (PERMANENT.has(status) && !isConfigError(r.error))
      out.rejected.push({ event: s.event, index: s.index, status, reason, document: s.document });
    else out.retriable.push({ status, reason, index: s.index });
  }
  return out;
}
