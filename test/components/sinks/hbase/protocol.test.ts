/**
 * HBase client framing, byte for byte: ZooKeeper's jute frames, the HBase RPC preamble, ConnectionHeader and request
 * frames (expected bytes written out by hand from the .proto field numbers, not produced by protobufjs), bytes captured
 * from a real HBase 2.5 (the meta-region-server znode, an info:regioninfo cell), and the RPC connection against a
 * scripted server (call ids, exceptions, broken connections).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HBaseClient,
  backoff,
  contains,
  metaKey,
  parseMetaRow,
  parseMetaZnode,
  scanResults,
} from '../../../../src/components/sinks/hbase/client.js';
import { HBaseCellError, checkCells, decodeCellBlock, encodeCellBlock } from '../../../../src/components/sinks/hbase/cellblock.js';
import { codec } from '../../../../src/components/sinks/hbase/proto.js';
import {
  HBaseConnectionError,
  HBaseRemoteError,
  PREAMBLE,
  RpcConnection,
  connectionPreamble,
  parseResponse,
  requestFrame,
} from '../../../../src/components/sinks/hbase/rpc.js';
import { connectRequest, getDataRequest, parseGetDataReply, takeFrames } from '../../../../src/components/sinks/hbase/zk.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): string => Buffer.from(s).toString('hex');

describe('ZooKeeper frames', () => {
  it('ConnectRequest and getData are jute frames', () => {
    expect(connectRequest(6000)).toEqual(
      hex(`0000002d 00000000 0000000000000000 00001770 0000000000000000 00000010 ${'00'.repeat(16)} 00`),
    );
    expect(getDataRequest(1, '/hbase/meta-region-server')).toEqual(
      hex(`00000026 00000001 00000004 00000019 ${ascii('/hbase/meta-region-server')} 00`),
    );
  });
  it('parses a getData reply, a missing node and splits frames', () => {
    const reply = hex(`00000001 0000000000000010 00000000 00000003 616263 ${'00'.repeat(68)}`);
    expect(parseGetDataReply(reply, '/x', 'zk')?.toString()).toBe('abc');
    expect(parseGetDataReply(hex('00000001 0000000000000010 ffffff9b'), '/x', 'zk')).toBeUndefined();
    expect(() => parseGetDataReply(hex('00000001 0000000000000010 ffffff9c'), '/x', 'zk')).toThrow(/error -100/);
    const { frames, rest } = takeFrames(hex('00000002 aabb 00000003 cc'));
    expect(frames).toEqual([hex('aabb')]);
    expect(rest).toEqual(hex('00000003 cc'));
  });
});

describe('HBase RPC frames', () => {
  it('preamble and ConnectionHeader with the KeyValueCodec cell-block codec', async () => {
    const c = await codec();
    expect(PREAMBLE).toEqual(Buffer.from('HBas\x00\x50', 'latin1'));
    const codecClass = 'org.apache.hadoop.hbase.codec.KeyValueCodec'; // 43 bytes
    const header = `0a07 0a05 ${ascii('flume')} 120d ${ascii('ClientService')} 1a2b ${ascii(codecClass)}`;
    expect(connectionPreamble(c, 'flume')).toEqual(hex(`${ascii('HBas')} 00 50 00000045 ${header}`));
  });
  it('a Multi with a cell block: cell_block_meta in the header, the cells after the param', async () => {
    const c = await codec();
    const block = encodeCellBlock(
      [{ row: Buffer.from('r'), cells: [{ family: Buffer.from('f'), qualifier: Buffer.from('q'), value: Buffer.from('v') }] }],
      [0],
    );
    const req = {
      regionAction: [
        { region: { type: 1, value: Buffer.from('g') }, action: [{ index: 0, mutation: { mutate_type: 2, associated_cell_count: 1 } }] },
      ],
    };
    const header = `13 0807 1a05 ${ascii('Multi')} 2001 2a02 081c 38e0d403`; // call_id, method, request_param, cell_block_meta{28}, timeout
    const param = `13 0a11 0a05 0801 1201 67 1a08 0800 1204 1002 4001`; // RegionAction{region, action{index 0, mutation{PUT, 1 cell}}}
    expect(block.length).toBe(28); // 4 + key and value lengths 8 + key 15 + value 1
    expect(requestFrame(c, 7, 'Multi', 'MultiRequest', req, 60000, block)).toEqual(
      Buffer.concat([hex(`00000044 ${header} ${param}`), block]),
    );
  });
  it('a request: int32 total, delimited RequestHeader, delimited param', async () => {
    const c = await codec();
    const req = { region: { type: 1, value: Buffer.from('r') }, get: { row: Buffer.from('k') } };
    const header = `0d 0807 1a03 ${ascii('Get')} 2001 38e0d403`; // call_id 7, method, request_param, timeout 60000
    const param = `0c 0a05 0801 1201 72 1203 0a01 6b`; // GetRequest{region{type 1, value "r"}, get{row "k"}}
    expect(requestFrame(c, 7, 'Get', 'GetRequest', req, 60000)).toEqual(hex(`0000001b ${header} ${param}`));
  });
  it('empty values are sent (proto2 presence), increments as 8-byte longs', async () => {
    const c = await codec();
    expect(Buffer.from(c.encode('QualifierValue', { qualifier: Buffer.from('q'), value: Buffer.alloc(0) }))).toEqual(hex('0a0171 1200'));
  });
  it('decodes a response header with an exception', async () => {
    const c = await codec();
    const h = c.encode(
      'ResponseHeader',
      {
        call_id: 3,
        exception: { exception_class_name: 'org.apache.hadoop.hbase.NotServingRegionException', stack_trace: 'x is not online\n at' },
      },
      true,
    );
    const r = parseResponse(c, Buffer.from(h), () => 'GetResponse');
    expect(r.callId).toBe(3);
    expect(r.error).toBeInstanceOf(HBaseRemoteError);
    expect(r.error?.exceptionClass).toMatch(/NotServingRegion/);
    expect(r.error?.message).toBe('x is not online');
    expect(r.error?.retriable).toBe(true);
  });
});

describe('KeyValueCodec cell blocks', () => {
  it('a put cell and an increment cell, byte for byte (int32 length, key and value lengths, key, value)', () => {
    const row = Buffer.from('row1');
    const f = Buffer.from('cf');
    const block = encodeCellBlock(
      [
        { row: Buffer.from('skipped'), cells: [{ family: f, qualifier: Buffer.from('x'), value: Buffer.from('nope') }] },
        { row, cells: [{ family: f, qualifier: Buffer.from('payload'), value: Buffer.from('hello') }] },
        { row, cells: [{ family: f, qualifier: Buffer.from('n'), amount: -2n }] },
      ],
      [1, 2],
    );
    const latest = '7fffffffffffffff';
    // put: key = 0004 row1 | 02 cf | payload | LATEST_TIMESTAMP | 04 (Put) = 2+4+1+2+7+8+1 = 25 bytes
    const put = `00000026 00000019 00000005 0004 ${ascii('row1')} 02 ${ascii('cf')} ${ascii('payload')} ${latest} 04 ${ascii('hello')}`;
    // increment: qualifier n, value the amount as a signed 8-byte long
    const inc = `00000023 00000013 00000008 0004 ${ascii('row1')} 02 ${ascii('cf')} ${ascii('n')} ${latest} 04 fffffffffffffffe`;
    expect(block).toEqual(hex(`${put} ${inc}`));
    const cells = decodeCellBlock(block);
    expect(cells.map((k) => [k.row.toString(), k.family.toString(), k.qualifier.toString(), k.type, k.timestamp])).toEqual([
      ['row1', 'cf', 'payload', 4, 0x7fffffffffffffffn],
      ['row1', 'cf', 'n', 4, 0x7fffffffffffffffn],
    ]);
    expect(cells[0].value.toString()).toBe('hello');
    expect(cells[1].value.readBigInt64BE()).toBe(-2n);
  });
  it('empty values; tags after the value are skipped; rows and families HBase refuses; truncated blocks', async () => {
    const empty = encodeCellBlock(
      [{ row: Buffer.from('r'), cells: [{ family: Buffer.from('f'), qualifier: Buffer.alloc(0), value: Buffer.alloc(0) }] }],
      [0],
    );
    expect(decodeCellBlock(empty)[0].value.length).toBe(0);
    // a cell with tags (int16 tags length + tags) after its value, as KeyValueCodecWithTags writes: the length covers them
    const withTags = Buffer.concat([empty, hex('0003 010203')]);
    withTags.writeInt32BE(empty.length - 4 + 5, 0);
    expect(decodeCellBlock(withTags)).toHaveLength(1);
    const long = (n: number) => [
      { row: Buffer.alloc(n), cells: [{ family: Buffer.from('f'), qualifier: Buffer.from('q'), value: Buffer.from('v') }] },
    ];
    expect(() => checkCells(long(32767)[0])).not.toThrow();
    expect(() => checkCells(long(32768)[0])).toThrow(HBaseCellError);
    expect(() => checkCells(long(32768)[0])).toThrow(/row key of 32768 bytes is longer than HBase allows \(32767\)/);
    const famTooLong = [
      { row: Buffer.from('r'), cells: [{ family: Buffer.alloc(128), qualifier: Buffer.from('q'), value: Buffer.from('v') }] },
    ];
    expect(() => checkCells(famTooLong[0])).toThrow(/column family name of 128 bytes/);
    // the client refuses such a batch before connecting anywhere (the sink rolls it back, as Flume's Put constructor)
    const client = new HBaseClient({ quorum: '127.0.0.1:1', znodeParent: '/hbase', timeoutMs: 1000 });
    await expect(client.mutate('t', [{ type: 'put', ...long(40000)[0] }])).rejects.toMatchObject({
      code: 'FLUME_HBASE_CELL',
      retriable: false,
    });
    expect(() => decodeCellBlock(empty.subarray(0, empty.length - 1))).toThrow(/malformed cell at byte 0/);
    expect(() => decodeCellBlock(empty.subarray(0, 5))).toThrow(/truncated/);
    const badRow = Buffer.from(empty);
    badRow.writeInt16BE(-1, 12); // a negative row length
    expect(() => decodeCellBlock(badRow)).toThrow(/malformed cell key at byte 0/);
  });
  it('a response with a cell block: the cells follow the result; a scan splits them per row by cells_per_result', async () => {
    const c = await codec();
    const block = encodeCellBlock(
      [
        {
          row: Buffer.from('a'),
          cells: [
            { family: Buffer.from('info'), qualifier: Buffer.from('regioninfo'), value: Buffer.from('x') },
            { family: Buffer.from('info'), qualifier: Buffer.from('server'), value: Buffer.from('h:1') },
          ],
        },
        { row: Buffer.from('b'), cells: [{ family: Buffer.from('info'), qualifier: Buffer.from('server'), value: Buffer.from('h:2') }] },
      ],
      [0, 1],
    );
    const frame = Buffer.concat([
      c.encode('ResponseHeader', { call_id: 9, cell_block_meta: { length: block.length } }, true),
      c.encode('ScanResponse', { cells_per_result: [2, 1], more_results: false }, true),
      block,
    ]);
    const r = parseResponse(c, frame, () => 'ScanResponse');
    expect(r.callId).toBe(9);
    expect(r.cells?.map((k) => k.row.toString())).toEqual(['a', 'a', 'b']);
    const rows = scanResults(r.result as { cells_per_result: number[] }, r.cells ?? []);
    expect(rows.map((x) => x.cell.map((k) => `${Buffer.from(k.row)}:${Buffer.from(k.qualifier)}`))).toEqual([
      ['a:regioninfo', 'a:server'],
      ['b:server'],
    ]);
    // a server that answers in protobuf (no cell block) still works
    expect(
      scanResults(
        {
          results: [
            { cell: [{ row: Buffer.from('p'), family: Buffer.from('info'), qualifier: Buffer.from('server'), value: Buffer.from('h') }] },
          ],
        },
        [],
      ),
    ).toHaveLength(1);
  });
});

describe('captured from HBase 2.5', () => {
  it('the meta-region-server znode names the server of hbase:meta', async () => {
    const znode = hex('ff000000146d61737465723a31363030301a2c509d02def65e504255460a150a093132372e302e302e3110947d18ec85f7f9a23410001803');
    expect(parseMetaZnode(await codec(), znode)).toBe('127.0.0.1:16020');
    expect(() => parseMetaZnode(awaitedCodec, hex('ff00000000 00'))).toThrow(/PBUF/);
  });
  it('an hbase:meta row: info:regioninfo (PBUF + RegionInfo) and info:server', async () => {
    const c = await codec();
    const regioninfo = Buffer.from('UEJVRgjGs/n5ojQSDQoHZGVmYXVsdBICdDEaAW0iACgAMAA4AA==', 'base64');
    const row = Buffer.from('t1,m,1796088945094.8c54a63300441a0455b1a4c2233e095a.');
    const cell = (q: string, v: Buffer) => ({ row, family: Buffer.from('info'), qualifier: Buffer.from(q), value: v });
    const r = parseMetaRow(c, [cell('regioninfo', regioninfo), cell('server', Buffer.from('127.0.0.1:16020'))], row);
    expect(Buffer.from(r.info?.table_name.qualifier ?? []).toString()).toBe('t1');
    expect(Buffer.from(r.info?.start_key ?? []).toString()).toBe('m');
    expect(Buffer.from(r.info?.end_key ?? []).length).toBe(0);
    expect(r.server).toBe('127.0.0.1:16020');
  });
  it('meta keys and region bounds', () => {
    expect(metaKey('t', Buffer.from('row')).toString()).toBe('t,row,99999999999999');
    const r = { start: Buffer.from('g'), end: Buffer.from('p') };
    expect([contains(r, Buffer.from('g')), contains(r, Buffer.from('o~')), contains(r, Buffer.from('p'))]).toEqual([true, true, false]);
    expect(contains({ start: Buffer.from('p'), end: Buffer.alloc(0) }, Buffer.from('zzz'))).toBe(true);
    for (let i = 0; i < 10; i++) expect(backoff(i)).toBeLessThanOrEqual(2000);
  });
});

let awaitedCodec: Awaited<ReturnType<typeof codec>>;

describe('RpcConnection against a scripted server', () => {
  let server: net.Server | undefined;
  afterEach(() => server?.close());

  /** A server that checks the preamble, then answers each request with `answer(callId, frameIndex)`. */
  async function scripted(answer: (callId: number, n: number, sock: net.Socket) => Buffer | undefined): Promise<number> {
    const c = await codec();
    awaitedCodec = c;
    server = net.createServer((sock) => {
      let buf: Buffer = Buffer.alloc(0);
      let greeted = false;
      let n = 0;
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (!greeted) {
          if (buf.length < 10) return;
          expect(buf.subarray(0, 6)).toEqual(PREAMBLE);
          const len = buf.readInt32BE(6);
          if (buf.length < 10 + len) return;
          buf = buf.subarray(10 + len);
          greeted = true;
        }
        const { frames, rest } = takeFrames(buf);
        buf = rest;
        for (const f of frames) {
          const { msg } = c.decodeDelimited<{ call_id: number }>('RequestHeader', f, 0);
          const out = answer(msg.call_id, n++, sock);
          if (out) sock.write(out);
        }
      });
    });
    const srv = server;
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return (srv.address() as net.AddressInfo).port;
  }

  const frame = (parts: Uint8Array[]): Buffer => {
    const body = Buffer.concat(parts);
    const len = Buffer.alloc(4);
    len.writeInt32BE(body.length);
    return Buffer.concat([len, body]);
  };

  it('matches answers to calls by call id, out of order, and maps exceptions', async () => {
    const c = await codec();
    const held: number[] = [];
    const port = await scripted((id, n, sock) => {
      if (n === 0) {
        held.push(id);
        return undefined;
      }
      const ex = {
        exception_class_name: 'org.apache.hadoop.hbase.regionserver.NoSuchColumnFamilyException',
        stack_trace: 'no cf',
        do_not_retry: true,
      };
      sock.write(frame([c.encode('ResponseHeader', { call_id: id, exception: ex }, true)]));
      return frame([c.encode('ResponseHeader', { call_id: held[0] }, true), c.encode('GetResponse', { result: { exists: true } }, true)]);
    });
    const conn = new RpcConnection('127.0.0.1', port, c, 2000);
    const first = conn.call<{ result: { exists: boolean } }>(
      'Get',
      'GetRequest',
      { region: { type: 1, value: Buffer.from('r') }, get: { row: Buffer.from('a') } },
      'GetResponse',
      2000,
    );
    await new Promise((r) => setTimeout(r, 50));
    const second = conn.call(
      'Get',
      'GetRequest',
      { region: { type: 1, value: Buffer.from('r') }, get: { row: Buffer.from('b') } },
      'GetResponse',
      2000,
    );
    await expect(second).rejects.toMatchObject({ exceptionClass: expect.stringMatching(/NoSuchColumnFamily/), doNotRetry: true });
    expect((await first).result.exists).toBe(true);
    conn.close();
  });

  it('a server that closes the connection or does not answer fails the call as retriable', async () => {
    const c = await codec();
    const port = await scripted((_id, n, sock) => {
      if (n === 0) sock.destroy();
      return undefined;
    });
    const conn = new RpcConnection('127.0.0.1', port, c, 2000);
    const err = await conn
      .call<unknown>(
        'Get',
        'GetRequest',
        { region: { type: 1, value: Buffer.from('r') }, get: { row: Buffer.from('a') } },
        'GetResponse',
        2000,
      )
      .catch((e: unknown) => e as HBaseConnectionError);
    expect(err).toBeInstanceOf(HBaseConnectionError);
    expect((err as HBaseConnectionError).retriable).toBe(true);
    const silent = await scripted(() => undefined);
    const conn2 = new RpcConnection('127.0.0.1', silent, c, 2000);
    await expect(
      conn2.call('Get', 'GetRequest', { region: { type: 1, value: Buffer.from('r') }, get: { row: Buffer.from('a') } }, 'GetResponse', 200),
    ).rejects.toThrow(/no answer to Get within 200 ms/);
  });

  it('a refused connection is a retriable connection error', async () => {
    const c = await codec();
    const port = await scripted(() => undefined);
    server?.close();
    const conn = new RpcConnection('127.0.0.1', port, c, 2000);
    await expect(
      conn.call('Get', 'GetRequest', { region: { type: 1, value: Buffer.from('r') }, get: { row: Buffer.from('a') } }, 'GetResponse', 1000),
    ).rejects.toBeInstanceOf(HBaseConnectionError);
  });
});
