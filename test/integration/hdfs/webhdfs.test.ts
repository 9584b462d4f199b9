import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices, type Services } from '../../support/services.js';
import { WebHdfsClient, WebHdfsError } from '../../../src/components/sinks/hdfs/webhdfs.js';

let svc: Services<'hdfs'>;
let c: WebHdfsClient;
const dir = `/it-webhdfs-${process.pid}`;

beforeAll(async () => {
  svc = await useServices(['hdfs']);
  c = new WebHdfsClient({ baseUrl: `http://${svc.hdfs.host}:${svc.hdfs.httpPort}`, user: svc.hdfs.user, timeoutMs: 10_000 });
});
afterAll(async () => {
  await c?.delete(dir, true).catch(() => undefined);
  c?.destroy();
  await svc?.release();
});

describe('WebHDFS client against a real HDFS 3.4', () => {
  it('creates (redirect to the DataNode), appends, renames, lists, reads, deletes', async () => {
    expect(await c.mkdirs(`${dir}/a b`)).toBe(true);
    await c.create(`${dir}/a b/f.tmp`, Buffer.from('hello\n'));
    await c.append(`${dir}/a b/f.tmp`, Buffer.from('world\n'));
    await c.append(`${dir}/a b/f.tmp`, Buffer.from([0, 1, 2, 255]));
    expect((await c.getFileStatus(`${dir}/a b/f.tmp`))?.length).toBe(16);
    expect(await c.rename(`${dir}/a b/f.tmp`, `${dir}/a b/f`)).toBe(true);
    expect(await c.rename(`${dir}/a b/missing`, `${dir}/a b/g`)).toBe(false);
    expect((await c.open(`${dir}/a b/f`)).equals(Buffer.concat([Buffer.from('hello\nworld\n'), Buffer.from([0, 1, 2, 255])]))).toBe(true);
    expect((await c.listStatus(`${dir}/a b`)).map((s) => s.pathSuffix)).toEqual(['f']);
    expect(await c.getFileStatus(`${dir}/nope`)).toBeUndefined();
    expect(await c.listStatus(`${dir}/nope`)).toEqual([]);
    // truncating inside the last block starts block recovery: `false`, the length settles shortly after
    await c.truncate(`${dir}/a b/f`, 6);
    for (let i = 0; i < 100 && (await c.getFileStatus(`${dir}/a b/f`))?.length !== 6; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await c.open(`${dir}/a b/f`)).toString()).toBe('hello\n');
  });

  it('reports HDFS errors with the remote exception', async () => {
    await c.create(`${dir}/exists`, Buffer.from('x'));
    const err = await c.create(`${dir}/exists`, Buffer.from('y')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebHdfsError);
    expect((err as WebHdfsError).exception).toBe('FileAlreadyExistsException');
    const err2 = await c.append(`${dir}/none`, Buffer.from('y')).catch((e: unknown) => e);
    expect((err2 as WebHdfsError).status).toBe(404);
  });
});
