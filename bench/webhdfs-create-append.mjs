// WebHDFS CREATE vs APPEND latency (NameNode redirect + DataNode request), 8 files: CREATE with `bytes`, then one APPEND.
// Usage: node bench/webhdfs-create-append.mjs http://127.0.0.1:<namenode http port> [bytes=1010000]  (needs a running HDFS)
import http from 'node:http';
const base = process.argv[2];
const size = Number(process.argv[3] ?? 1010000);
const agent = new http.Agent({ keepAlive: true });
function req(method, url, body) {
  return new Promise((res, rej) => {
    const r = http.request(
      url,
      {
        method,
        agent,
        headers: { 'content-length': body ? body.length : 0, ...(body ? { 'content-type': 'application/octet-stream' } : {}) },
      },
      (m) => {
        const ch = [];
        m.on('data', (c) => ch.push(c));
        m.on('end', () => res({ status: m.statusCode, headers: m.headers }));
      },
    );
    r.on('error', rej);
    r.end(body);
  });
}
const data = Buffer.alloc(size, 97);
const two = async (method, q, p) => {
  const t0 = performance.now();
  const r = await req(method, `${base}/webhdfs/v1${p}?op=${q}&user.name=root`);
  const r2 = await req(method, r.headers.location, data);
  return `${(performance.now() - t0).toFixed(0)}(${r2.status})`;
};
const c = [],
  a = [];
for (let i = 0; i < 8; i++) {
  const p = `/tmp-perf/ca-${process.pid}-${i}`;
  c.push(await two('PUT', 'CREATE', p));
  a.push(await two('POST', 'APPEND', p));
}
console.log('size', size, 'CREATE', c.join(' '));
console.log('size', size, 'APPEND', a.join(' '));
