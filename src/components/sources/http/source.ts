/**
 * Flume's HTTPSource servlet (core/source/http/HTTPSource.java) on node:http: every path; GET, POST (and HEAD, as
 * HttpServlet does) go to the handler; OPTIONS and TRACE are forbidden (403, Flume's security constraint); PUT and
 * DELETE are 405; other methods 501. A request is answered 200 only after every required channel committed its
 * events; a handler's bad-request error is 400, a channel refusal 503, any other failure 500, with Jetty's HTML error
 * page. Beyond Flume: bodies above maxRequestBytes are refused with 413 before they are buffered.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import type { ChannelProcessor, EventDrivenSource } from '../../../core/source.js';
import type { Event } from '../../../core/event.js';
import type { Logger } from '../../../core/logging.js';
import { ChannelError, errorMessage } from '../../../core/errors.js';
import { sourceCounter, type CounterGroup } from '../../../monitoring/counters.js';
import { HttpBadRequestError } from './gson.js';
import type { HttpSourceHandler } from './handlers.js';

export interface HttpSourceOptions {
  bind: string;
  port: number;
  handler: HttpSourceHandler;
  maxRequestBytes: number;
  /** Jetty's ServerConnector idleTimeout (ms): idle keep-alive connections and stalled requests are closed after it. */
  idleTimeoutMs: number;
  tls?: tls.SecureContextOptions;
}

const REASONS: Record<number, string> = { 500: 'Server Error' };

/** Jetty's escaping of error page text (StringUtil.sanitizeXmlString). */
function xml(s: string): string {
  return s.replace(/[&<>"'\x00-\x08\x0b\x0c\x0e-\x1f]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : c === "'" ? '&apos;' : '?',
  );
}

/** Jetty 9.4's ErrorHandler page, as Flume's sendError produces it. */
export function errorPage(status: number, message: string, uri: string): string {
  const m = xml(message);
  const reason = `${status} ${m}`;
  return (
    '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n' +
    `<title>Error ${reason}</title>\n</head>\n<body><h2>HTTP ERROR ${reason}</h2>\n<table>\n` +
    `<tr><th>URI:</th><td>${xml(uri)}</td></tr>\n<tr><th>STATUS:</th><td>${status}</td></tr>\n` +
    `<tr><th>MESSAGE:</th><td>${m}</td></tr>\n` +
    '<tr><th>SERVLET:</th><td>org.apache.flume.source.http.HTTPSource$FlumeHTTPServlet</td></tr>\n</table>\n' +
    '<hr><a href="https://github.com/flume-ts">Powered by flume-ts</a><hr/>\n\n</body>\n</html>\n'
  );
}

export class HttpSource implements EventDrivenSource {
  readonly mode = 'eventDriven';
  readonly name: string;
  readonly counter: CounterGroup;
  private server?: http.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    name: string,
    private readonly opts: HttpSourceOptions,
    private readonly processor: ChannelProcessor,
    private readonly logger: Logger,
  ) {
    this.name = name;
    this.counter = sourceCounter(name);
  }

  get boundPort(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  start(): Promise<void> {
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => this.onRequest(req, res);
    const server = this.opts.tls ? https.createServer(this.opts.tls, onRequest) : http.createServer(onRequest);
    server.keepAliveTimeout = this.opts.idleTimeoutMs;
    server.timeout = this.opts.idleTimeoutMs;
    server.headersTimeout = Math.min(60_000, this.opts.idleTimeoutMs + 1000);
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    server.on('clientError', (err, socket) => {
      this.logger.debug({ err: errorMessage(err) }, 'HTTP client error');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.opts.bind, port: this.opts.port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.logger.error({ err: errorMessage(err) }, 'HTTP source server error'));
        this.server = server;
        this.counter.start();
        this.logger.info(`Http source ${this.name} started on ${this.opts.bind}:${this.boundPort}${this.opts.tls ? ' (TLS)' : ''}`);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of this.sockets) s.destroy();
      });
    }
    this.counter.stop();
    this.logger.info({ metrics: this.counter.snapshot() }, `Http source ${this.name} stopped`);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const m = req.method ?? '';
    if (m === 'GET' || m === 'POST' || m === 'HEAD') {
      this.readBody(req, res);
      return;
    }
    // HttpServlet's defaults and Flume's constraint on OPTIONS/TRACE: empty bodies
    const status = m === 'OPTIONS' || m === 'TRACE' ? 403 : m === 'PUT' || m === 'DELETE' ? (req.httpVersion === '1.0' ? 400 : 405) : 501;
    req.resume();
    res.writeHead(status, { 'Content-Length': '0' });
    res.end();
  }

  private readBody(req: http.IncomingMessage, res: http.ServerResponse): void {
    const max = this.opts.maxRequestBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) {
      this.tooLarge(req, res, declared);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > max) {
        refused = true;
        chunks.length = 0;
        this.tooLarge(req, res, size);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      void this.handle(req, res, body);
    });
    req.on('error', (err) => this.logger.debug({ err: errorMessage(err) }, 'HTTP request aborted by the client; nothing committed'));
  }

  private tooLarge(req: http.IncomingMessage, res: http.ServerResponse, size: number): void {
    this.counter.increment('EventReadFail');
    const max = this.opts.maxRequestBytes;
    const client = req.socket.remoteAddress;
    this.logger.warn({ bytes: size, maxRequestBytes: max, client }, 'HTTP request body too large; refused with 413');
    const msg = `Request body exceeds maxRequestBytes (${max} bytes)`;
    this.sendError(req, res, 413, msg, true);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    let events: Event[];
    try {
      events = this.opts.handler.getEvents({ method: req.method!, url: req.url ?? '/', contentType: req.headers['content-type'], body });
    } catch (err) {
      this.counter.increment('EventReadFail');
      if (err instanceof HttpBadRequestError) {
        this.logger.warn({ err: errorMessage(err) }, 'Received bad request from client.');
        return this.sendError(req, res, 400, `Bad request from client. ${errorMessage(err)}`);
      }
      this.logger.warn({ err: errorMessage(err) }, 'Deserializer threw unexpected exception.');
      return this.sendError(req, res, 500, `Deserializer threw unexpected exception. ${errorMessage(err)}`);
    }
    this.counter.increment('AppendBatchReceivedCount');
    this.counter.add('EventReceivedCount', events.length);
    // the client waits for the reply: when the channels ask to, let their sinks catch up before this batch goes in
    const wait = this.processor.pace?.();
    if (wait) await wait;
    try {
      await this.processor.processEventBatch(events);
    } catch (err) {
      if (err instanceof ChannelError) {
        this.logger.warn(
          { err: errorMessage(err) },
          'Error appending event to channel. Channel might be full. Consider increasing the channel capacity ' +
            'or make sure the sinks perform faster.',
        );
        this.counter.increment('ChannelWriteFail');
        return this.sendError(req, res, 503, `Error appending event to channel. Channel might be full.${errorMessage(err)}`);
      }
      this.logger.warn({ err: errorMessage(err) }, 'Unexpected error appending event to channel.');
      this.counter.increment('GenericProcessingFail');
      return this.sendError(req, res, 500, `Unexpected error while appending event to channel. ${errorMessage(err)}`);
    }
    // committed: the answer may still be lost with the connection; the client then retries (at least once, as Flume)
    res.writeHead(200, { 'Content-Length': '0' });
    res.end();
    this.counter.increment('AppendBatchAcceptedCount');
    this.counter.add('EventAcceptedCount', events.length);
  }

  private sendError(req: http.IncomingMessage, res: http.ServerResponse, status: number, message: string, close = false): void {
    if (res.headersSent || res.destroyed) return;
    const path = (req.url ?? '/').split('?')[0]!;
    const page = Buffer.from(errorPage(status, message, path), 'latin1');
    const headers: http.OutgoingHttpHeaders = {
      'Cache-Control': 'must-revalidate,no-cache,no-store',
      'Content-Type': 'text/html;charset=iso-8859-1',
      'Content-Length': String(page.length),
    };
    if (close) headers.Connection = 'close';
    res.writeHead(status, REASONS[status] ?? http.STATUS_CODES[status], headers);
    res.end(page);
    if (close) res.once('finish', () => req.socket.destroySoon());
  }
}
