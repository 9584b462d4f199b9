/**
 * Flume's HTTPSourceHandler implementations: JSONHandler (the default), BLOBHandler (core) and the morphline module's
 * BlobHandler. A handler turns one request into events, or throws HttpBadRequestError (→ 400) or another error (→ 500).
 */
import type { Event } from '../../../core/event.js';
import { FlumeError } from '../../../core/errors.js';
import { javaSplit } from '../../shared/java-split.js';
import { charsetOf, decode, encode, jsonCharset } from './charset.js';
import { HttpHandlerError, parseJsonEvents, setOwn } from './gson.js';
import { readJsonEventsFast } from './json-fast.js';

export interface HttpRequestInfo {
  method: string;
  /** request target (path and query) */
  url: string;
  contentType?: string;
  body: Buffer;
}

export interface HttpSourceHandler {
  getEvents(req: HttpRequestInfo): Event[];
}

export class HandlerConfigError extends FlumeError {
  constructor(message: string) {
    super('FLUME_HTTP_HANDLER_CONFIG', message);
  }
}

export const JSON_HANDLER = 'org.apache.flume.source.http.JSONHandler';
export const BLOB_HANDLER = 'org.apache.flume.source.http.BLOBHandler';
export const MORPHLINE_BLOB_HANDLER = 'org.apache.flume.sink.solr.morphline.BlobHandler';

/** Flume's JSONHandler: a JSON array of {"headers": {...}, "body": "..."}; charset from Content-Type (UTF-8 default). */
export class JsonHandler implements HttpSourceHandler {
  getEvents(req: HttpRequestInfo): Event[] {
    const named = charsetOf(req.contentType);
    const cs = jsonCharset(named);
    if (cs === undefined) throw new HttpHandlerError('JSON handler supports UTF-8, UTF-16 and UTF-32 only.');
    if (cs === 'UTF-8') {
      const fast = readJsonEventsFast(req.body);
      if (fast) return fast;
    }
    const parsed = parseJsonEvents(decode(req.body, cs));
    const out: Event[] = new Array(parsed.length);
    for (let i = 0; i < parsed.length; i++) out[i] = { headers: parsed[i]!.headers, body: encode(parsed[i]!.body, cs) };
    return out;
  }
}

/**
 * Request parameters as Jetty's getParameterMap gives them: the query string, then, when `withForm` (the handler
 * asks for parameters before it opens the body) and the request is a POST with application/x-www-form-urlencoded,
 * the form in the body, which Jetty consumes so the body reads as empty. First value of each name wins.
 */
function parameters(req: HttpRequestInfo, withForm: boolean): { params: Map<string, string>; body: Buffer } {
  const params = new Map<string, string>();
  const add = (q: string) => {
    for (const [k, v] of new URLSearchParams(q)) if (!params.has(k)) params.set(k, v);
  };
  const qi = req.url.indexOf('?');
  if (qi >= 0) add(req.url.slice(qi + 1));
  const form = withForm && req.method === 'POST' && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.contentType ?? '');
  if (form) add(req.body.toString('utf8'));
  return { params, body: form ? Buffer.alloc(0) : req.body };
}

/** Flume's BLOBHandler: the whole body is one event; request parameters become headers; mandatoryParameters checked. */
export class BlobHandler implements HttpSourceHandler {
  private readonly mandatory: string[];
  constructor(sub: Readonly<Record<string, string>>) {
    this.mandatory = javaSplit(sub.mandatoryParameters ?? '', ',');
  }

  getEvents(req: HttpRequestInfo): Event[] {
    // Flume's BLOBHandler opens the body before it reads parameters: a form body stays the body
    const { params, body } = parameters(req, false);
    const headers: Record<string, string> = {};
    for (const [k, v] of params) setOwn(headers, k, v);
    for (const m of this.mandatory) {
      if (!Object.hasOwn(headers, m)) throw new HttpHandlerError(`Please specify ${m} parameter in the request.`);
    }
    return [{ headers, body: Buffer.from(body) }];
  }
}

/** The morphline module's BlobHandler: the body (truncated at maxBlobLength) with Content-Type and parameters as headers. */
export class MorphlineBlobHandler implements HttpSourceHandler {
  readonly maxBlobLength: number;
  constructor(sub: Readonly<Record<string, string>>) {
    const raw = sub.maxBlobLength;
    const n = raw === undefined ? 100_000_000 : /^[+-]?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isFinite(n) || n > 2 ** 31 - 1) throw new HandlerConfigError(`handler.maxBlobLength must be an integer, got "${raw}"`);
    if (n <= 0) throw new HandlerConfigError(`Configuration parameter maxBlobLength must be greater than zero: ${n}`);
    this.maxBlobLength = n;
  }

  getEvents(req: HttpRequestInfo): Event[] {
    const { params, body } = parameters(req, true);
    const headers: Record<string, string> = {};
    if (req.contentType !== undefined) headers['Content-Type'] = req.contentType;
    for (const [k, v] of params) setOwn(headers, k, v);
    return [{ headers, body: Buffer.from(body.subarray(0, this.maxBlobLength)) }];
  }
}

/** The handler for a class name (Flume's Class.forName), or a configuration error naming the known ones. */
export function createHandler(className: string, sub: Readonly<Record<string, string>>): HttpSourceHandler {
  switch (className) {
    case JSON_HANDLER:
      return new JsonHandler();
    case BLOB_HANDLER:
      return new BlobHandler(sub);
    case MORPHLINE_BLOB_HANDLER:
      return new MorphlineBlobHandler(sub);
    default:
      throw new HandlerConfigError(
        `handler class ${className} is not available (flume-ts runs no Java classes). Known handlers: ` +
          `${JSON_HANDLER}, ${BLOB_HANDLER}, ${MORPHLINE_BLOB_HANDLER}`,
      );
  }
}
