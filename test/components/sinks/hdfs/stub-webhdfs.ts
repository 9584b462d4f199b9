/**
 * An in-memory WebHDFS stand-in for unit tests of the sink's logic only (request grouping, failures). The real
 * behaviour is tested against a real HDFS in test/integration/hdfs/.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Stub {
  url: string;
  files: Map<string, Buffer>;
  /** Requests seen: `OP path`. */
  log: string[];
  /** Delay of the DataNode step of CREATE/APPEND, ms. */
  delayMs: number;
  /** Fail the next n DataNode steps with HTTP 500 (after writing `partial` bytes of it). */
  failNext: number;
  partial: number;
  /** Files still open on the "NameNode" (a writer died): TRUNCATE answers AlreadyBeingCreatedException. */
  openForWrite: Set<string>;
  close(): Promise<void>;
}

export async function startStub(): Promise<Stub> {
  const stub: Stub = {
    url: '',
    files: new Map(),
    log: [],
    delayMs: 0,
    failNext: 0,
    partial: 0,
    openForWrite: new Set(),
    close: async () => {},
  };
  const json = (res: http.ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const u = new URL(req.url!, stub.url);
      const op = u.searchParams.get('op')!;
      const p = decodeURIComponent(u.pathname.replace(/^\/webhdfs\/v1/, ''));
      const body = Buffer.concat(chunks);
      const dn = u.searchParams.has('dn');
      if ((op === 'CREATE' || op === 'APPEND') && !dn) {
        if (op === 'APPEND' && !stub.files.has(p))
          return json(res, 404, { RemoteException: { exception: 'FileNotFoundException', message: p } });
        res.writeHead(307, { location: `${u.pathname}${u.search}&dn=1` });
        return res.end();
      }
      stub.log.push(`${op} ${p}`);
      switch (op) {
        case 'CREATE':
        case 'APPEND': {
          if (stub.delayMs) await new Promise((r) => setTimeout(r, stub.delayMs));
          if (stub.failNext > 0) {
            stub.failNext--;
            if (stub.partial > 0) stub.files.set(p, Buffer.concat([stub.files.get(p) ?? Buffer.alloc(0), body.subarray(0, stub.partial)]));
            return json(res, 500, { RemoteException: { exception: 'IOException', message: 'injected' } });
          }
          if (op === 'CREATE' && stub.files.has(p))
            return json(res, 403, { RemoteException: { exception: 'FileAlreadyExistsException', message: p } });
          stub.files.set(p, Buffer.concat([stub.files.get(p) ?? Buffer.alloc(0), body]));
          res.writeHead(op === 'CREATE' ? 201 : 200);
          return res.end();
        }
        case 'GETFILESTATUS': {
          const f = stub.files.get(p);
          return f ? json(res, 200, { FileStatus: { pathSuffix: '', type: 'FILE', length: f.length } }) : json(res, 404, {});
        }
        case 'LISTSTATUS': {
          const out = [...stub.files.entries()]
            .filter(([k]) => k.startsWith(p + '/') && !k.slice(p.length + 1).includes('/'))
            .map(([k, v]) => ({ pathSuffix: k.slice(p.length + 1), type: 'FILE', length: v.length }));
          return json(res, 200, { FileStatuses: { FileStatus: out } });
        }
        case 'RENAME': {
          const dst = u.searchParams.get('destination')!;
          const f = stub.files.get(p);
          if (!f || stub.files.has(dst)) return json(res, 200, { boolean: false });
          stub.files.delete(p);
          stub.files.set(dst, f);
          return json(res, 200, { boolean: true });
        }
        case 'GET_BLOCK_LOCATIONS':
          if (!stub.files.has(p)) return json(res, 404, { RemoteException: { exception: 'FileNotFoundException', message: p } });
          return json(res, 200, { LocatedBlocks: { isUnderConstruction: stub.openForWrite.has(p) } });
        case 'TRUNCATE': {
          if (stub.openForWrite.has(p))
            return json(res, 403, {
              RemoteException: { exception: 'AlreadyBeingCreatedException', message: `${p} is owned by another client` },
            });
          const f = stub.files.get(p)!;
          stub.files.set(p, f.subarray(0, Number(u.searchParams.get('newlength'))));
          return json(res, 200, { boolean: true });
        }
        case 'DELETE':
          return json(res, 200, { boolean: stub.files.delete(p) });
        default:
          return json(res, 400, {});
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return stub;
}
