/**
 * `type = http` (org.apache.flume.source.http.HTTPSource): events from HTTP requests through a handler class.
 * node:http is used rather than a framework: one route, no middleware, and Node's llhttp parser is the fastest
 * HTTP/1.1 parser available to Node; TLS comes from node:https with the rpc components' key store handling.
 */
import { defineComponent, prop, type SpecProblem } from '../../../config/spec.js';
import { sourceSsl, sourceSslProps } from '../../rpc/props.js';
import { globalSsl, serverSecureOptions, storeProblem } from '../../rpc/tls.js';
import { createHandler, JSON_HANDLER } from './handlers.js';
import { HttpSource } from './source.js';

const JETTY_PREFIXES = ['QueuedThreadPool.', 'HttpConfiguration.', 'SslContextFactory.', 'ServerConnector.'];
/** The one Jetty setting with a Node equivalent. */
const IDLE_TIMEOUT = 'ServerConnector.idleTimeout';

function handlerProps(raw: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (k.startsWith('handler.')) out[k.slice('handler.'.length)] = v;
  return out;
}

function idleTimeout(raw: Readonly<Record<string, string>>): number | string {
  const v = raw[IDLE_TIMEOUT]?.trim();
  if (v === undefined) return 30_000;
  return /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : `${IDLE_TIMEOUT} must be a positive number of milliseconds, got "${v}"`;
}

export const httpSource = defineComponent({
  kind: 'source',
  type: 'http',
  fqcn: 'org.apache.flume.source.http.HTTPSource',
  summary: 'Events from HTTP requests (any path; GET or POST), decoded by a handler: JSON (default) or BLOB.',
  notes:
    "Status codes as Flume's servlet: 200 only after the channel commit, 400 for malformed JSON, 503 when the channel " +
    'refuses (full, or a batch above its transactionCapacity), 500 for other handler errors (an empty body, an ' +
    'unsupported charset, a missing BLOBHandler parameter), 403 for OPTIONS/TRACE, 405 for PUT/DELETE, 501 for other ' +
    "methods; error bodies are Jetty's HTML error page (same title, status and message; no servlet instance id or Jetty " +
    'version). Handlers: JSONHandler, BLOBHandler and the morphline ' +
    "module's BlobHandler (no other Java class can load: a configure error). Differences: a JSON body without a " +
    'charset is read as UTF-8 whatever the Content-Type (Flume reads it as ISO-8859-1 unless the type is ' +
    'application/json, which corrupts non-ASCII text); null header values are dropped; duplicate header names are ' +
    'refused (400) only when the body is not strict JSON (the last one wins otherwise). Beyond Flume: maxRequestBytes ' +
    '(413). Jetty tuning (QueuedThreadPool.*, HttpConfiguration.*, SslContextFactory.*, ServerConnector.*) is ' +
    'accepted and logged as ignored, except ServerConnector.idleTimeout (idle connection timeout, default 30000 ms). ' +
    'Key stores must be PKCS12 or PEM (Node cannot read JKS).',
  properties: {
    bind: prop.string({
      default: '0.0.0.0',
      doc: 'Host name or IP address to listen on.',
      check: (v) => (v === '' ? 'HTTPSource hostname specified is empty' : undefined),
    }),
    port: prop.int({ required: true, min: 0, max: 65535, doc: 'Port to listen on.' }),
    handler: prop.string({
      default: JSON_HANDLER,
      doc:
        'Handler class: org.apache.flume.source.http.JSONHandler, org.apache.flume.source.http.BLOBHandler or ' +
        'org.apache.flume.sink.solr.morphline.BlobHandler.',
    }),
    maxRequestBytes: prop.long({
      default: 64 * 1024 * 1024,
      defaultDoc: '67108864 (64 MiB)',
      min: 1,
      doc: 'flume-ts only: largest request body accepted; a larger one is answered 413 without being buffered.',
    }),
    ...sourceSslProps,
    ssl: { ...sourceSslProps.ssl, aliases: ['enableSSL'] },
    'keystore-password': { ...sourceSslProps['keystore-password'], aliases: ['keystorePassword'] },
    'exclude-protocols': { ...sourceSslProps['exclude-protocols'], aliases: ['excludeProtocols'] },
  },
  prefixes: {
    'handler.':
      'Handler settings: handler.mandatoryParameters (BLOBHandler, comma list), ' +
      'handler.maxBlobLength (morphline BlobHandler, bytes, default 100000000).',
    'QueuedThreadPool.': 'Jetty thread pool settings: accepted and ignored (Node serves requests on its event loop).',
    'HttpConfiguration.': 'Jetty HTTP settings: accepted and ignored.',
    'SslContextFactory.': 'Jetty TLS settings: accepted and ignored (use the keystore and protocol properties).',
    'ServerConnector.': 'Jetty connector settings: idleTimeout (ms, default 30000) is applied; the others are ignored.',
  },
  check: (c, raw) => {
    const out: SpecProblem[] = [];
    try {
      createHandler(c.handler.trim(), handlerProps(raw));
    } catch (err) {
      out.push({ prop: 'handler', message: (err as Error).message });
    }
    const idle = idleTimeout(raw);
    if (typeof idle === 'string') out.push({ message: idle });
    if (c.ssl && !c.keystore && !globalSsl('keystore').path) {
      out.push({ prop: 'ssl', message: 'keystore must be specified when SSL is enabled' });
    }
    const ks = c.ssl ? storeProblem(c.keystore, c['keystore-type'], 'keystore') : undefined;
    if (ks) out.push({ prop: 'keystore', message: ks });
    return out;
  },
  create: (c, ctx) => {
    const handler = createHandler(c.handler.trim(), handlerProps(ctx.raw));
    const ignored = Object.keys(ctx.raw).filter((k) => JETTY_PREFIXES.some((p) => k.startsWith(p)) && k !== IDLE_TIMEOUT);
    if (ignored.length > 0) ctx.logger.info(`Http source ${ctx.name}: Jetty settings ${ignored.join(', ')} have no effect in flume-ts`);
    const ssl = sourceSsl(c, ctx.raw);
    const tls = ssl.ssl ? serverSecureOptions(ssl, `Http source ${ctx.name}`) : undefined;
    const idle = idleTimeout(ctx.raw);
    return new HttpSource(
      ctx.name,
      {
        bind: c.bind,
        port: c.port,
        handler,
        maxRequestBytes: c.maxRequestBytes,
        idleTimeoutMs: typeof idle === 'number' ? idle : 30_000,
        tls,
      },
      ctx.processor,
      ctx.logger,
    );
  },
});
