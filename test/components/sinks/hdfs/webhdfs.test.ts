import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebHdfsClient, WebHdfsError, resolveHdfsPath } from '../../../../src/components/sinks/hdfs/webhdfs.js';

/** A tiny local server that plays NameNode + DataNode, only to check redirect and error handling. */
let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('WebHdfsClient (redirects and errors, local stub)', () => {
  it('sends no body to the NameNode and the bytes to the 307 Location', async () => {
    const seen: Array<{ method: string; url: string; len: number; type?: string }> = [];
    const base = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, len: Buffer.concat(chunks).length, type: req.headers['content-type'] });
        if (!req.url!.includes('datanode=1')) {
          res.writeHead(307, { location: `${base}/webhdfs/v1/x/f?op=CREATE&datanode=1` });
          res.end();
        } else {
          res.writeHead(201);
          res.end();
        }
      });
    });
    const c = new WebHdfsClient({ baseUrl: base, user: 'flume' });
    await c.create('/x/f', Buffer.alloc(3000, 1));
    c.destroy();
    expect(seen[0]).toMatchObject({ method: 'PUT', len: 0 });
    expect(seen[0]!.url).toBe('/webhdfs/v1/x/f?op=CREATE&user.name=flume&overwrite=false');
    expect(seen[1]).toMatchObject({ method: 'PUT', len: 3000, type: 'application/octet-stream' });
  });

  it('turns a RemoteException into a WebHdfsError and marks DataNode-side failures uncertain', async () => {
    const base = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url!.includes('op=RENAME')) {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ RemoteException: { exception: 'AccessControlException', message: 'denied' } }));
        } else if (!req.url!.includes('dn=1')) {
          res.writeHead(307, { location: `/webhdfs/v1/f?op=APPEND&dn=1` });
          res.end();
        } else {
          res.writeHead(500);
          res.end('boom');
        }
      });
    });
    const c = new WebHdfsClient({ baseUrl: base });
    const e1 = (await c.rename('/a', '/b').catch((e: unknown) => e)) as WebHdfsError;
    expect(e1).toBeInstanceOf(WebHdfsError);
    expect(e1.exception).toBe('AccessControlException');
    expect(e1.message).toMatch(/RENAME \/a failed: HTTP 403 AccessControlException: denied/);
    expect(e1.uncertain).toBe(false);
    const e2 = (await c.append('/f', Buffer.from('x')).catch((e: unknown) => e)) as WebHdfsError;
    expect(e2.uncertain).toBe(true);
    c.destroy();
  });

  it('times out a server that never answers, and fails cleanly when nothing listens', async () => {
    const base = await serve(() => {
      /* never answers */
    });
    const c = new WebHdfsClient({ baseUrl: base, timeoutMs: 200 });
    await expect(c.mkdirs('/x')).rejects.toThrow(/no answer within 200 ms/);
    c.destroy();
    server!.closeAllConnections();
    const dead = new WebHdfsClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    await expect(dead.getFileStatus('/x')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('resolveHdfsPath', () => {
  it('maps hdfs://, webhdfs://, swebhdfs:// and plain paths', () => {
    expect(resolveHdfsPath('hdfs://nn:8020/user/x')).toEqual({ baseUrl: 'http://nn:9870', path: '/user/x' });
    expect(resolveHdfsPath('hdfs://nn:8020/user/x', 'nn:50070')).toEqual({ baseUrl: 'http://nn:50070', path: '/user/x' });
    expect(resolveHdfsPath('webhdfs://nn:14000/p')).toEqual({ baseUrl: 'http://nn:14000', path: '/p' });
    expect(resolveHdfsPath('swebhdfs://nn/p')).toEqual({ baseUrl: 'https://nn:9871', path: '/p' });
    expect(resolveHdfsPath('/p', 'https://gw:8443')).toEqual({ baseUrl: 'https://gw:8443', path: '/p' });
    expect(resolveHdfsPath('/p')).toEqual({ baseUrl: 'file://', path: '/p' }); // Hadoop's default fs.defaultFS
    expect(resolveHdfsPath('file:///tmp/p')).toEqual({ baseUrl: 'file://', path: '/tmp/p' });
    expect(() => resolveHdfsPath('file://host/p')).toThrow(/no host/);
    expect(() => resolveHdfsPath('s3a://b/p')).toThrow(/not supported/);
  });
});
