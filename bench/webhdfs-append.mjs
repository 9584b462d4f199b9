// WebHDFS APPEND timing: the NameNode redirect and the DataNode request separately, then the DataNode URL reused.
// Usage: node bench/webhdfs-append.mjs http://127.0.0.1:<namenode http port> [noredirect]  (needs a running HDFS)
import http from 'node:http';
const base = process.argv[2];
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
        m.on('end', () => res({ status: m.statusCode, headers: m.headers, body: Buffer.concat(ch).toString() }));
      },
    );
    r.on('error', rej);
    r.end(body);
  });
}
const p = `/tmp-perf/b-${process.pid}`;
const data = Buffer.alloc(10100, 97);
let r = await req('PUT', `${base}/webhdfs/v1${p}?op=CREATE&user.name=root`);
await req('PUT', r.headers.location, data);
const rows = [];
let loc;
for (let i = 0; i < 12; i++) {
  const t0 = performance.now();
  r = await req('POST', `${base}/webhdfs/v1${p}?op=APPEND&user.name=root${process.argv[3] ? '&noredirect=true' : ''}`);
  const t1 = performance.now();
  loc = r.status === 307 ? r.headers.location : JSON.parse(r.body).Location;
  const r2 = await req('POST', loc, data);
  const t2 = performance.now();
  rows.push(`${(t1 - t0).toFixed(0)}+${(t2 - t1).toFixed(0)}(${r2.status})`);
}
console.log(rows.join(' '));
console.log(loc);
// reuse the DN url
const rows2 = [];
for (let i = 0; i < 8; i++) {
  const t = performance.now();
  const r2 = await req('POST', loc, data);
  rows2.push(`${(performance.now() - t).toFixed(0)}(${r2.status})`);
}
console.log('reuse', rows2.join(' '));
