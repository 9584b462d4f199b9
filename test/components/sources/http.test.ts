import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpSource } from '../../../src/components/sources/http/index.js';
import type { HttpSource } from '../../../src/components/sources/http/source.js';
import { parseJsonEvents } from '../../../src/components/sources/http/gson.js';
import { decode, encode } from '../../../src/components/sources/http/charset.js';
import { readJsonEventsFast } from '../../../src/components/sources/http/json-fast.js';
import type { Event } from '../../../src/core/event.js';
import { javaSplit } from '../../../src/components/shared/java-split.js';
import { DefaultChannelProcessor } from '../../../src/core/channel-processor.js';
import { ReplicatingChannelSelector } from '../../../src/components/selectors/replicating.js';
import type { MemoryChannel } from '../../../src/components/channels/memory.js';
import { parseComponent } from '../../../src/config/component-props.js';
import { configure, create, drain, memory, propMap, silentLogger } from '../../support/context.js';
import { waitFor } from '../../support/agent-process.js';
import { PaceGate } from '../../support/pace-gate.js';

const FIX = path.resolve(import.meta.dirname, '../../fixtures/rpc');
const proc = (ch: MemoryChannel) => new DefaultChannelProcessor(new ReplicatingChannelSelector([ch], []), [], silentLogger);

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function request(
  port: number,
  o: { method?: string; path?: string; body?: Buffer | string; headers?: Record<string, string>; tls?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const mod = o.tls ? https : http;
    const headers = { ...o.headers };
    if (o.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(o.body));
    const req = mod.request(
      { host: '127.0.0.1', port, method: o.method ?? 'POST', path: o.path ?? '/', headers, rejectUnauthorized: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('latin1'), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

let sources: HttpSource[] = [];
afterEach(async () => {
  for (const s of sources) await s.stop();
  sources = [];
});

async function start(
  raw: Record<string, string> = {},
  ch = memory(),
  gate?: PaceGate,
): Promise<{ src: HttpSource; ch: MemoryChannel; port: number }> {
  const processor = proc(ch);
  if (gate) processor.pace = gate.pace;
  const src = create(httpSource, { port: '0', bind: '127.0.0.1', ...raw }, { processor }) as HttpSource;
  await src.start();
  sources.push(src);
  return { src, ch, port: src.boundPort! };
}

describe('JSON parsing as Gson does it', () => {
  it('reads events, keeps number spellings, drops null header values, accepts lenient syntax', () => {
    expect(parseJsonEvents('[{"headers":{"a":"1"},"body":"x"},{"body":"y"},{}]')).toEqual([
      { headers: { a: '1' }, body: 'x' },
      { headers: {}, body: 'y' },
      { headers: {}, body: '' },
    ]);
    expect(parseJsonEvents('[{"headers":{"x":5,"t":true,"z":null},"body":1.50}]')).toEqual([
      { headers: { x: '5', t: 'true' }, body: '1.50' },
    ]);
    expect(parseJsonEvents("[{headers:{n:'lenient'}, body = 'x'} # comment\n]")).toEqual([{ headers: { n: 'lenient' }, body: 'x' }]);
    expect(parseJsonEvents('[{"body":"a\\u00e9\\n"}]')[0]!.body).toBe('aé\n');
    const proto = parseJsonEvents('[{"headers":{"__proto__":"p"},"body":"x"}]')[0]!.headers;
    expect(Object.entries(proto)).toEqual([['__proto__', 'p']]);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });

  it('classifies failures like Flume: syntax and shape → 400, empty or null → 500', () => {
    const code = (s: string) => {
      try {
        parseJsonEvents(s);
        return 'ok';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    for (const bad of [
      '[{"body":"x"',
      '{"body":"x"}',
      '["s"]',
      '[5]',
      '[{"body":{"a":1}}]',
      '[{"headers":[1]}]',
      '[] xyz',
      '[{"headers":{"n":"a","n":"b"},"body":1}]',
    ]) {
      expect(code(bad), bad).toBe('FLUME_HTTP_BAD_REQUEST');
    }
    for (const npe of ['', '  ', 'null', '[null]']) expect(code(npe), npe).toBe('FLUME_HTTP_HANDLER');
    expect(code('[]')).toBe('ok');
  });

  it('decodes and encodes UTF-16/UTF-32 as Java does (UTF-16 output has a big-endian BOM)', () => {
    expect(encode('hé', 'UTF-16')).toEqual(Buffer.from([0xfe, 0xff, 0, 0x68, 0, 0xe9]));
    expect(decode(Buffer.from([0, 0x68, 0, 0xe9]), 'UTF-16')).toBe('hé');
    expect(decode(Buffer.from([0xff, 0xfe, 0x68, 0]), 'UTF-16')).toBe('h');
    expect(encode('h😀', 'UTF-32')).toEqual(Buffer.from([0, 0, 0, 0x68, 0, 1, 0xf6, 0]));
    expect(decode(encode('h😀', 'UTF-32'), 'UTF-32')).toBe('h😀');
  });

  it("splits like Java's String.split", () => {
    expect(javaSplit('', ',')).toEqual(['']);
    expect(javaSplit('a,b,', ',')).toEqual(['a', 'b']);
    expect(javaSplit(',a', ',')).toEqual(['', 'a']);
  });
});

describe('JSON handler fast path', () => {
  /** The general path (JSON.parse, then the Gson-compatible reader) as the handler runs it for UTF-8. */
  const general = (b: Buffer) => {
    try {
      return parseJsonEvents(b.toString('utf8')).map((e) => ({ headers: e.headers, body: Buffer.from(e.body, 'utf8') }));
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  const plain = (es: Event[]) => es.map((e) => ({ headers: { ...e.headers }, body: Buffer.from(e.body) }));

  it('reads the common shape itself, bodies as the request bytes, the same events as the general path', () => {
    for (const s of [
      '[]',
      ' [ ] \r\n',
      '[{"headers":{"host":"h1","t":"1"},"body":"line one"},{"body":"two","headers":{}}]',
      '[{"body":""},{}, {"headers":{"a":"b"}}]',
      '\t[ { "headers" : { "k" : "v" , "k2":"" } , "body" : "x y" } ,\n{"body":"é ü 😀"} ]',
      '[{"headers":{"ключ":"значение"},"body":"тело"}]',
      '[{"headers":{"__proto__":"p","2":"n","1":"m"},"body":"x"}]',
      '[{"headers":{"a":"1"},"body":"x"},{"headers":{"a":"1","b":"2"},"body":"y"},{"headers":{"b":"2","a":"12"}}]',
      '[{"body":"a\u0001b\tc"}]',
    ]) {
      const b = Buffer.from(s);
      const fast = readJsonEventsFast(b);
      expect(fast, s).toBeDefined();
      expect(plain(fast!), s).toEqual(general(b));
    }
    const b = Buffer.from('[{"body":"abc"}]');
    const body = readJsonEventsFast(b)![0]!.body;
    expect(body.buffer).toBe(b.buffer);
    expect(body.byteOffset).toBe(b.byteOffset + 10);
    const proto = readJsonEventsFast(Buffer.from('[{"headers":{"__proto__":"p"}}]'))![0]!.headers;
    expect(Object.entries(proto)).toEqual([['__proto__', 'p']]);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });

  it('leaves escapes, literals, numbers, lenient syntax, duplicates, other keys and bad bytes to the general path', () => {
    for (const s of [
      '[{"body":"a\\nb"}]',
      '[{"body":1.50}]',
      '[{"headers":{"x":5}}]',
      '[{"headers":{"z":null},"body":"x"}]',
      '[{"headers":null}]',
      '[null]',
      'null',
      '',
      '[{"body":"x"}] x',
      '[{"body":"x"},]',
      "[{'body':'x'}]",
      '[{body:"x"}]',
      '[{"body":"x"} # c\n]',
      '[{"headers":{"n":"a","n":"b"}}]',
      '[{"body":"a","body":"b"}]',
      '[{"headers":{},"headers":{}}]',
      '[{"body":"x","charset":"UTF-8"}]',
      '{"body":"x"}',
      '[{"body":"x"}',
      '\ufeff[]',
    ]) {
      expect(readJsonEventsFast(Buffer.from(s)), s).toBeUndefined();
    }
    expect(
      readJsonEventsFast(Buffer.from([0x5b, 0x7b, 0x22, 0x62, 0x6f, 0x64, 0x79, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x5d])),
    ).toBeUndefined();
  });

  it('agrees with the general path on every mutation of a request it accepts', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const alphabet = Buffer.from('{}[]:,"\\ \t\n\rabxyz01.-#/\'=;');
    const extra = [0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff];
    const seeds = [
      '[{"headers":{"host":"h","ts":"1"},"body":"hello world"},{"body":"two"}]',
      '[{"body":"é","headers":{"a":"b","c":"d"}}, {}, {"headers":{}}]',
      ' [ { "headers" : { "k" : "v" } , "body" : "x" } ] ',
    ].map((x) => Buffer.from(x));
    let accepted = 0;
    for (let n = 0; n < 20_000; n++) {
      const src = seeds[rnd(seeds.length)]!;
      const bytes = [...src];
      for (let m = 1 + rnd(3); m > 0; m--) {
        const at = rnd(bytes.length + 1);
        const ch = rnd(4) === 0 ? extra[rnd(extra.length)]! : alphabet[rnd(alphabet.length)]!;
        const op = rnd(3);
        if (op === 0) bytes.splice(at, 0, ch);
        else if (op === 1) bytes.splice(at, 1);
        else bytes[Math.min(at, bytes.length - 1)] = ch;
      }
      const b = Buffer.from(bytes);
      const fast = readJsonEventsFast(b);
      if (!fast) continue;
      accepted++;
      expect(plain(fast), b.toString('latin1')).toEqual(general(b));
    }
    expect(accepted).toBeGreaterThan(1_000);
  });
});

describe('http source', () => {
  it('delivers JSON events after the commit and answers 200 with an empty body', async () => {
    const { src, ch, port } = await start();
    const r = await request(port, { path: '/any/path', body: '[{"headers":{"h":"é"},"body":"héllo"},{"body":"2"}]' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    const got = await drain(ch);
    expect(got.map((e) => [e.headers, e.body.toString('utf8')])).toEqual([
      [{ h: 'é' }, 'héllo'],
      [{}, '2'],
    ]);
    expect(src.counter.get('EventAcceptedCount')).toBe(2);
    expect(src.counter.get('AppendBatchAcceptedCount')).toBe(1);
    // GET is handled as POST
    expect((await request(port, { method: 'GET', body: '[{"body":"g"}]' })).status).toBe(200);
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['g']);
  });

  it('holds the reply while the channels ask it to wait for their sinks (pace), then commits and answers 200', async () => {
    const gate = new PaceGate().close();
    const { ch, port } = await start({}, memory(), gate);
    let status = 0;
    const reply = request(port, { body: '[{"body":"a"},{"body":"b"}]' }).then((r) => (status = r.status));
    await waitFor(() => gate.calls > 0, 'the source to ask');
    await new Promise((r) => setTimeout(r, 100));
    expect([status, ch.size()]).toEqual([0, 0]);
    gate.open();
    await reply;
    expect(status).toBe(200);
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['a', 'b']);
  });

  it("answers Flume's status codes for bad input, with Jetty's error page", async () => {
    const { src, port } = await start();
    const bad = await request(port, { path: '/p?q=1', body: '[{"body":' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('text/html;charset=iso-8859-1');
    expect(bad.body).toContain('<title>Error 400 Bad request from client. Request has invalid JSON Syntax.</title>');
    expect(bad.body).toContain('<tr><th>URI:</th><td>/p</td></tr>');
    const empty = await request(port, { body: '' });
    expect(empty.status).toBe(500);
    expect(empty.body).toContain('Deserializer threw unexpected exception. Cannot invoke &quot;java.util.List.iterator()&quot;');
    const cs = await request(port, { body: '[]', headers: { 'Content-Type': 'application/json; charset=iso-8859-1' } });
    expect(cs.status).toBe(500);
    expect(cs.body).toContain('JSON handler supports UTF-8, UTF-16 and UTF-32 only.');
    for (const [method, status] of [
      ['PUT', 405],
      ['DELETE', 405],
      ['OPTIONS', 403],
      ['TRACE', 403],
      ['PATCH', 501],
    ] as const) {
      const r = await request(port, { method, body: method === 'TRACE' ? undefined : '[]' });
      expect([method, r.status, r.body]).toEqual([method, status, '']);
    }
    expect(src.counter.get('EventReadFail')).toBe(3);
  });

  it('answers 503 when the channel is full or the batch is above its transactionCapacity, and keeps serving', async () => {
    const { src, ch, port } = await start({}, memory('c1', 3, 3));
    const four = JSON.stringify([1, 2, 3, 4].map((i) => ({ body: String(i) })));
    const r = await request(port, { body: four });
    expect(r.status).toBe(503);
    expect(r.body).toContain('Error appending event to channel. Channel might be full.');
    expect((await request(port, { body: '[{"body":"a"},{"body":"b"}]' })).status).toBe(200);
    expect((await request(port, { body: '[{"body":"c"},{"body":"d"}]' })).status).toBe(503);
    expect(src.counter.get('ChannelWriteFail')).toBe(2);
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['a', 'b']);
    expect((await request(port, { body: '[{"body":"c"},{"body":"d"}]' })).status).toBe(200);
  });

  it('refuses bodies above maxRequestBytes with 413, by Content-Length and while streaming', async () => {
    const { src, ch, port } = await start({ maxRequestBytes: '1000' });
    const big = JSON.stringify([{ body: 'x'.repeat(2000) }]);
    const r = await request(port, { body: big });
    expect(r.status).toBe(413);
    // chunked: no Content-Length
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', agent: false },
        (res) => (res.resume(), resolve(res.statusCode!)),
      );
      req.on('error', reject);
      req.write(big.slice(0, 900));
      setTimeout(() => req.end(big.slice(900)), 20);
    });
    expect(chunked).toBe(413);
    expect(src.counter.get('EventReadFail')).toBe(2);
    expect(ch.size()).toBe(0);
    expect((await request(port, { body: '[{"body":"small"}]' })).status).toBe(200);
  });

  it('writes UTF-16 bodies with a BOM and reads a JSON body without charset as UTF-8', async () => {
    const { ch, port } = await start();
    const u16 = encode('[{"body":"hé"}]', 'UTF-16');
    expect((await request(port, { body: u16, headers: { 'Content-Type': 'application/json; charset=UTF-16' } })).status).toBe(200);
    expect((await request(port, { body: '[{"body":"é"}]', headers: { 'Content-Type': 'text/plain' } })).status).toBe(200);
    const got = await drain(ch);
    expect(got[0]!.body).toEqual(Buffer.from([0xfe, 0xff, 0, 0x68, 0, 0xe9]));
    expect(got[1]!.body.toString('utf8')).toBe('é');
  });

  it('BLOBHandler: parameters become headers; mandatoryParameters are checked (the default requires a "" parameter, as in Flume)', async () => {
    const { ch, port } = await start({ handler: 'org.apache.flume.source.http.BLOBHandler', 'handler.mandatoryParameters': 'a,b' });
    expect((await request(port, { path: '/x?a=1&b=2&a=3', body: Buffer.from([0, 1, 2]) })).status).toBe(200);
    const miss = await request(port, { path: '/x?a=1', body: 'z' });
    expect(miss.status).toBe(500);
    expect(miss.body).toContain('Please specify b parameter in the request.');
    // a form body stays the body (Flume's BLOBHandler opens the body before reading parameters)
    expect(
      (await request(port, { path: '/?a=1', body: 'b=5', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status,
    ).toBe(500);
    const got = await drain(ch);
    expect(got).toHaveLength(1);
    expect(got[0]!.headers).toEqual({ a: '1', b: '2' });
    expect(got[0]!.body).toEqual(Buffer.from([0, 1, 2]));
    const dflt = await start({ handler: 'org.apache.flume.source.http.BLOBHandler' });
    expect((await request(dflt.port, { path: '/?a=1', body: 'x' })).status).toBe(500);
    expect((await request(dflt.port, { path: '/?=x', body: 'x' })).status).toBe(200);
  });

  it('morphline BlobHandler: Content-Type header, truncation at maxBlobLength, form parameters', async () => {
    const { ch, port } = await start({ handler: 'org.apache.flume.sink.solr.morphline.BlobHandler', 'handler.maxBlobLength': '4' });
    expect((await request(port, { path: '/?p=1', body: 'abcdefgh', headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(
      200,
    );
    expect(
      (await request(port, { path: '/?p=1', body: 'q=2&p=3', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status,
    ).toBe(200);
    const got = await drain(ch);
    expect(got[0]!.headers).toEqual({ 'Content-Type': 'application/octet-stream', p: '1' });
    expect(got[0]!.body.toString()).toBe('abcd');
    expect(got[1]!.headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded', p: '1', q: '2' });
    expect(got[1]!.body.length).toBe(0);
  });

  it('survives clients that close mid-request and malformed HTTP, and commits nothing for them', async () => {
    const { ch, port } = await start();
    for (let i = 0; i < 20; i++) {
      const s = net.connect(port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      s.write(i % 2 ? 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[{"body":"partial"' : 'GARBAGE\r\n\r\n');
      await new Promise((r) => setTimeout(r, 5));
      s.destroy();
    }
    expect((await request(port, { body: '[{"body":"after"}]' })).status).toBe(200);
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['after']);
  });

  it('accepts a slow client that trickles its body within the idle timeout', async () => {
    const { ch, port } = await start({ 'ServerConnector.idleTimeout': '500' });
    const body = JSON.stringify([{ body: 'slow but steady' }]);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', agent: false },
        (res) => (res.resume(), resolve(res.statusCode!)),
      );
      req.on('error', reject);
      let i = 0;
      const tick = () => {
        if (i >= body.length) return void req.end();
        req.write(body.slice(i, i + 4));
        i += 4;
        setTimeout(tick, 30);
      };
      tick();
    });
    expect(status).toBe(200);
    expect((await drain(ch)).map((e) => e.body.toString())).toEqual(['slow but steady']);
  });

  it('closes a stalled request after ServerConnector.idleTimeout', async () => {
    const { port } = await start({ 'ServerConnector.idleTimeout': '200' });
    const s = net.connect(port, '127.0.0.1');
    s.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[');
    const t0 = Date.now();
    await new Promise((r) => s.once('close', r));
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('serves TLS with a PKCS12 or PEM key store, and refuses JKS with a conversion hint', async () => {
    const p12 = await start({
      ssl: 'true',
      keystore: path.join(FIX, 'keystore.p12'),
      'keystore-password': 'changeit',
      'keystore-type': 'PKCS12',
    });
    expect((await request(p12.port, { tls: true, body: '[{"body":"tls"}]' })).status).toBe(200);
    const pem = await start({ enableSSL: 'true', keystore: path.join(FIX, 'keystore.pem'), keystorePassword: '' });
    expect((await request(pem.port, { tls: true, body: '[]' })).status).toBe(200);
    const r = parseComponent(
      httpSource,
      propMap({ port: '1', ssl: 'true', keystore: path.join(FIX, 'keystore.jks'), 'keystore-password': 'changeit' }),
      { label: 'source r1' },
    );
    expect(r.diagnostics.map((d) => d.message).join('\n')).toMatch(/JKS store, which Node.js cannot read.*keytool -importkeystore/);
  });

  it('an unknown handler class is a configuration error; Jetty settings are accepted', () => {
    const r = parseComponent(httpSource, propMap({ port: '1', handler: 'com.example.MyHandler' }), { label: 'source r1' });
    expect(r.diagnostics.some((d) => d.severity === 'error' && /com\.example\.MyHandler is not available/.test(d.message))).toBe(true);
    const ok = parseComponent(
      httpSource,
      propMap({ port: '1', 'QueuedThreadPool.maxThreads': '5', 'HttpConfiguration.sendServerVersion': 'false' }),
      { label: 'source r1' },
    );
    expect(ok.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(configure(httpSource, { port: '1' }).bind).toBe('0.0.0.0');
  });
});
