import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices, type Services } from '../../support/services.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request with node:http (no redirect following: WebHDFS's 307 is handled by the test). */
function request(method: string, url: string, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

describe('real HDFS 3.4 (NameNode + DataNode) over WebHDFS', () => {
  let svc: Services<'hdfs'>;
  beforeAll(async () => {
    svc = await useServices(['hdfs']);
  });
  afterAll(async () => {
    await svc?.release();
  });

  it('CREATE via the DataNode redirect, OPEN returns the same bytes, LISTSTATUS shows the file', async () => {
    const { webhdfs, user } = svc.hdfs;
    const dir = `/smoke/${Date.now()}`;
    const data = Buffer.concat([Buffer.from('hello hdfs\n'), randomBytes(64 * 1024)]);

    const mk = await request('PUT', `${webhdfs}${dir}?op=MKDIRS&user.name=${user}`);
    expect(mk.status).toBe(200);
    expect(JSON.parse(mk.body.toString()).boolean).toBe(true);

    // Step 1: the NameNode answers 307 with the DataNode's location; step 2: send the bytes there.
    const create = await request('PUT', `${webhdfs}${dir}/data.bin?op=CREATE&overwrite=true&user.name=${user}`);
    expect(create.status).toBe(307);
    const location = String(create.headers.location);
    expect(new URL(location).hostname).toBe('127.0.0.1');
    expect(new URL(location).port).toBe(String(svc.info.hdfs.ports.dnHttp));
    const put = await request('PUT', location, data);
    expect(put.status).toBe(201);

    const open1 = await request('GET', `${webhdfs}${dir}/data.bin?op=OPEN&user.name=${user}`);
    expect(open1.status).toBe(307);
    const open2 = await request('GET', String(open1.headers.location));
    expect(open2.status).toBe(200);
    expect(open2.body.equals(data)).toBe(true);

    const list = await request('GET', `${webhdfs}${dir}?op=LISTSTATUS&user.name=${user}`);
    expect(list.status).toBe(200);
    const statuses = JSON.parse(list.body.toString()).FileStatuses.FileStatus as Array<{
      pathSuffix: string;
      length: number;
      type: string;
    }>;
    expect(statuses).toEqual([expect.objectContaining({ pathSuffix: 'data.bin', length: data.length, type: 'FILE' })]);
  });
});
