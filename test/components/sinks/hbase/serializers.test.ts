/**
 * Flume's HBase serializers (row keys, columns, values, increments, as their Java code makes them), coalesced
 * increments, and the sinks' configuration (defaults, aliases, FQCNs, Flume's quorum rule, Kerberos settings).
 */
import { describe, expect, it } from 'vitest';
import { asyncHbaseSink, coalesce, hbase2Sink, hbaseSink, quorumProblem } from '../../../../src/components/sinks/hbase/index.js';
import { RegexSerializer, SimpleSerializer, createSerializer } from '../../../../src/components/sinks/hbase/serializers.js';
import { parseComponent } from '../../../../src/config/component-props.js';
import { builtinRegistry } from '../../../../src/components/registry.js';
import { createEvent } from '../../../../src/core/event.js';
import { configure, memory, propMap, silentLogger } from '../../../support/context.js';

const cf = Buffer.from('cf');
const text = (b: Buffer | undefined) => b?.toString('utf8');

describe('SimpleHbaseEventSerializer / SimpleHBase2EventSerializer / SimpleAsyncHbaseEventSerializer', () => {
  it('defaults: the body in pCol of default<uuid>, +1 on incRow:iCol', () => {
    for (const cls of [
      'org.apache.flume.sink.hbase.SimpleHbaseEventSerializer',
      'org.apache.flume.sink.hbase2.SimpleHBase2EventSerializer',
      'org.apache.flume.sink.hbase.SimpleAsyncHbaseEventSerializer',
    ]) {
      const { puts, increments } = createSerializer(cls, {}).serialize(createEvent('body'), cf);
      expect(puts).toHaveLength(1);
      expect(text(puts[0]!.row)).toMatch(/^default[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(puts[0]!.cells).toEqual([{ family: cf, qualifier: Buffer.from('pCol'), value: Buffer.from('body') }]);
      expect(increments).toEqual([
        { type: 'increment', row: Buffer.from('incRow'), cells: [{ family: cf, qualifier: Buffer.from('iCol'), amount: 1n }] },
      ]);
    }
  });
  it('suffix timestamp | random | nano | uuid, rowPrefix, incrementRow, and empty columns turn parts off', () => {
    const key = (suffix: string) => text(new SimpleSerializer({ suffix, rowPrefix: 'p-' }).rowKey());
    const before = Date.now();
    const ts = Number(key('timestamp')?.slice(2));
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now());
    expect(key('random')).toMatch(/^p--?\d{1,19}$/);
    expect(key('nano')).toMatch(/^p-\d+$/);
    expect(key('anything')).toMatch(/^p-[0-9a-f-]{36}$/);
    const s = new SimpleSerializer({ payloadColumn: '', incrementColumn: 'hits', incrementRow: 'counters' });
    const r = s.serialize(createEvent('x'), cf);
    expect(r.puts).toEqual([]);
    expect(text(r.increments[0]!.row)).toBe('counters');
    expect(new SimpleSerializer({ incrementColumn: '' }).serialize(createEvent('x'), cf).increments).toEqual([]);
  });
});

describe('RegexHbaseEventSerializer / RegexHBase2EventSerializer', () => {
  it('defaults: regex (.*) into column payload, key <millis>-<10 alphanumerics>-<counter>', () => {
    const s = createSerializer('org.apache.flume.sink.hbase.RegexHbaseEventSerializer', {});
    const a = s.serialize(createEvent('line one\nline two'), cf).puts[0]!;
    const b = s.serialize(createEvent('x'), cf).puts[0]!;
    expect(text(a.cells[0]!.value)).toBe('line one\nline two'); // DOTALL
    expect(text(a.cells[0]!.qualifier)).toBe('payload');
    const [ka, kb] = [text(a.row)!, text(b.row)!];
    expect(ka).toMatch(/^\d{13}-[A-Za-z0-9]{10}-\d+$/);
    expect(ka.split('-')[1]).toBe(kb.split('-')[1]); // one random part per process
    expect(Number(kb.split('-')[2])).toBe(Number(ka.split('-')[2]) + 1);
  });
  it('the default regex writes the body itself when it is UTF-8, the same bytes the decode/encode path gives', () => {
    const fast = new RegexSerializer({});
    const general = new RegexSerializer({ regex: '(.*)', colNames: 'payload', depositHeaders: 'true' }); // no shortcut
    const value = (s: RegexSerializer, body: Buffer) => s.serialize(createEvent(body), cf).puts[0]!.cells[0]!.value;
    for (const body of [Buffer.from('plain'), Buffer.from('h\u00e9 \u{1F600}\nnext'), Buffer.alloc(0)]) {
      const v = value(fast, body);
      expect(v).toBe(body); // not a copy
      expect(v).toEqual(value(general, body));
    }
    // malformed UTF-8: Java's String replaces it with U+FFFD, so does the general path the shortcut falls back to
    const bad = Buffer.from([0x61, 0xff, 0xc3]);
    expect(value(fast, bad)).toEqual(Buffer.from('a\ufffd\ufffd'));
    expect(value(fast, bad)).toEqual(value(general, bad));
  });
  it('colNames, rowKeyIndex, regexIgnoreCase, depositHeaders; a body that does not match writes nothing', () => {
    const s = new RegexSerializer({
      regex: '([a-z]+) (\\d+) (.*)',
      colNames: 'word,ROW_KEY,rest',
      rowKeyIndex: '1',
      regexIgnoreCase: 'true',
      depositHeaders: 'true',
    });
    const r = s.serialize(createEvent('HELLO 42 the rest', { host: 'h1' }), cf).puts[0]!;
    expect(text(r.row)).toBe('42');
    expect(r.cells.map((c) => `${text(c.qualifier)}=${text(c.value)}`)).toEqual(['word=HELLO', 'rest=the rest', 'host=h1']);
    expect(s.serialize(createEvent('no match'), cf).puts).toEqual([]);
    // group count differs from colNames: nothing
    expect(new RegexSerializer({ regex: '(a)(b)', colNames: 'one' }).serialize(createEvent('ab'), cf).puts).toEqual([]);
    // the whole body must match (Matcher.matches)
    expect(new RegexSerializer({ regex: '(b)' }).serialize(createEvent('abc'), cf).puts).toEqual([]);
  });
  it("refuses Flume's invalid rowKeyIndex settings", () => {
    expect(() => new RegexSerializer({ regex: '(a)', colNames: 'x', rowKeyIndex: '1' })).toThrow(
      /rowKeyIndex must be less than num columns 1/,
    );
    expect(() => new RegexSerializer({ regex: '(a)', colNames: 'x', rowKeyIndex: '0' })).toThrow(/Column at 0 must be ROW_KEY and is x/);
    expect(() => createSerializer('com.example.Mine', {})).toThrow(/not available in flume-ts/);
  });
});

describe('coalesceIncrements', () => {
  it('sums per row/family/qualifier, rows in byte order', () => {
    const inc = (row: string, q: string, n: bigint) => ({
      type: 'increment' as const,
      row: Buffer.from(row),
      cells: [{ family: cf, qualifier: Buffer.from(q), amount: n }],
    });
    const out = coalesce([inc('b', 'x', 1n), inc('a', 'x', 1n), inc('b', 'x', 2n), inc('b', 'y', 1n)]);
    expect(out.map((m) => `${text(m.row)}:${m.cells.map((c) => `${text(c.qualifier)}+${c.amount}`).join(',')}`)).toEqual([
      'a:x+1',
      'b:x+3,y+1',
    ]);
  });
});

describe('sink configuration', () => {
  const reg = builtinRegistry();
  it('aliases and class names resolve', () => {
    expect(reg.resolve('sink', 'hbase')).toBe(hbaseSink);
    expect(reg.resolve('sink', 'org.apache.flume.sink.hbase.HBaseSink')).toBe(hbaseSink);
    expect(reg.resolve('sink', 'HBASE2')).toBe(hbase2Sink);
    expect(reg.resolve('sink', 'org.apache.flume.sink.hbase2.HBase2Sink')).toBe(hbase2Sink);
    expect(reg.resolve('sink', 'org.apache.flume.sink.hbase.AsyncHBaseSink')).toBe(asyncHbaseSink);
  });
  it("Flume's defaults", () => {
    const c = configure(hbase2Sink, { table: 't', columnFamily: 'cf' });
    expect(c).toMatchObject({ znodeParent: '/hbase', batchSize: 100, coalesceIncrements: false, enableWal: true, timeout: 60000 });
    expect(c.serializer).toBe('org.apache.flume.sink.hbase2.SimpleHBase2EventSerializer');
    expect(configure(hbaseSink, { table: 't', columnFamily: 'cf' }).serializer).toBe(
      'org.apache.flume.sink.hbase.SimpleHbaseEventSerializer',
    );
    expect(configure(asyncHbaseSink, { table: 't', columnFamily: 'cf' }).serializer).toBe(
      'org.apache.flume.sink.hbase.SimpleAsyncHbaseEventSerializer',
    );
  });
  it('table and columnFamily are required; the quorum needs host:port with one port (hbase, hbase2)', () => {
    const diags = (spec: typeof hbase2Sink | typeof asyncHbaseSink, raw: Record<string, string>) =>
      parseComponent(spec, propMap(raw), { label: 'sink k1' })
        .diagnostics.map((d) => d.message)
        .join('\n');
    expect(diags(hbase2Sink, { columnFamily: 'cf' })).toMatch(/table/);
    expect(diags(hbase2Sink, { table: 't' })).toMatch(/columnFamily/);
    expect(quorumProblem('zk1:2181,zk2:2181')).toBeUndefined();
    expect(quorumProblem('zk1')).toMatch(/Expected client port/);
    expect(quorumProblem('zk1:2181,zk2:2182')).toMatch(/same client port/);
    expect(diags(hbase2Sink, { table: 't', columnFamily: 'cf', zookeeperQuorum: 'zk1' })).toMatch(/Expected client port/);
    expect(diags(asyncHbaseSink, { table: 't', columnFamily: 'cf', zookeeperQuorum: 'zk1,zk2' })).toBe('');
    expect(diags(hbase2Sink, { table: 't', columnFamily: 'cf', kerberosPrincipal: 'flume/_HOST@R' })).toMatch(
      /Keytab can not be null when Principal is provided/,
    );
    expect(diags(hbase2Sink, { table: 't', columnFamily: 'cf', kerberosKeytab: '/k' })).toMatch(
      /Principal can not be null when keytab is provided/,
    );
    expect(diags(hbase2Sink, { table: 't', columnFamily: 'cf', kerberosKeytab: '/k', kerberosPrincipal: 'f@R' })).toBe('');
  });
  it('asynchbase with a JAAS login (async.hbase.security.auth.enable) is refused with FLUME_HBASE_KERBEROS', () => {
    const raw = { table: 't', columnFamily: 'cf', 'async.hbase.security.auth.enable': 'true' };
    const c = configure(asyncHbaseSink, { table: 't', columnFamily: 'cf' });
    const ctx = { name: 'k1', agent: 'a1', logger: silentLogger, raw, registry: reg, channel: memory() };
    expect(() => asyncHbaseSink.create(c as never, ctx as never)).toThrow(expect.objectContaining({ code: 'FLUME_HBASE_KERBEROS' }));
  });
});
