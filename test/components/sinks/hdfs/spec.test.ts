import { describe, expect, it } from 'vitest';
import { hdfsSink } from '../../../../src/components/sinks/hdfs/index.js';
import { resolveCodec } from '../../../../src/components/sinks/hdfs/formats.js';
import { parseComponent } from '../../../../src/config/component-props.js';
import { propMap, create, memory, parseWithParts } from '../../../support/context.js';
import { builtinRegistry } from '../../../../src/components/registry.js';

function problems(raw: Record<string, string>) {
  const r = parseWithParts(hdfsSink, raw, 'sink k1');
  return { ok: r.ok, messages: r.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.severity}: ${d.message}`) };
}

describe('hdfs sink configuration', () => {
  it('is registered as hdfs and by its Flume class name', () => {
    const reg = builtinRegistry();
    expect(reg.resolve('sink', 'hdfs')).toBe(hdfsSink);
    expect(reg.resolve('sink', 'org.apache.flume.sink.hdfs.HDFSEventSink')).toBe(hdfsSink);
  });

  it("has Flume's defaults", () => {
    const r = parseComponent(hdfsSink, propMap({ 'hdfs.path': 'hdfs://nn/p' }), { label: 'k1' });
    expect(r.config).toMatchObject({
      'hdfs.filePrefix': 'FlumeData',
      'hdfs.fileSuffix': '',
      'hdfs.inUsePrefix': '',
      'hdfs.inUseSuffix': '.tmp',
      'hdfs.rollInterval': 30,
      'hdfs.rollSize': 1024,
      'hdfs.rollCount': 10,
      'hdfs.idleTimeout': 0,
      'hdfs.batchSize': 100,
      'hdfs.fileType': 'SequenceFile',
      'hdfs.writeFormat': 'Writable',
      'hdfs.maxOpenFiles': 5000,
      'hdfs.callTimeout': 30000,
      'hdfs.threadsPoolSize': 10,
      'hdfs.rollTimerPoolSize': 1,
      'hdfs.round': false,
      'hdfs.roundValue': 1,
      'hdfs.roundUnit': 'second',
      'hdfs.useLocalTimeStamp': false,
      'hdfs.closeTries': 0,
      'hdfs.retryInterval': 180,
      serializer: 'TEXT',
    });
  });

  it("requires hdfs.path and rejects Flume's invalid combinations", () => {
    expect(problems({}).ok).toBe(false);
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.fileType': 'DataStream', 'hdfs.codeC': 'gzip' }).messages.join()).toMatch(
      /DataStream which does NOT support compressed output/,
    );
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.fileType': 'CompressedStream' }).messages.join()).toMatch(
      /essential to set compress codec/,
    );
    const zstd = problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.codeC': 'ZStandardCodec' });
    expect(zstd.messages.join()).toMatch(/ZStandardCodec is not supported by flume-ts/);
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.codeC': 'lz4' }).messages).toEqual([]);
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.codeC': 'nope' }).messages.join()).toMatch(/Unsupported compression codec nope/);
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.batchSize': '0' }).ok).toBe(false);
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.fileType': 'Parquet' }).ok).toBe(false);
    expect(
      problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.round': 'true', 'hdfs.roundUnit': 'hour', 'hdfs.roundValue': '25' }).messages.join(),
    ).toMatch(/<= 24/);
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.round': 'true', 'hdfs.roundUnit': 'day' }).messages.join()).toMatch(
      /warning: .*Rounding will be disabled/,
    );
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.timeZone': 'Mars/Base' }).messages.join()).toMatch(/warning: .*unknown time zone/);
    expect(problems({ 'hdfs.path': 'hdfs://nn/p/%[nope]' }).messages.join()).toMatch(/localhost,IP,FQDN/);
    expect(problems({ 'hdfs.path': '/p' }).messages).toEqual([]); // local filesystem, Hadoop's default fs.defaultFS
    expect(problems({ 'hdfs.path': 'file://host/p' }).messages.join()).toMatch(/no host/);
    expect(problems({ 'hdfs.path': 's3a://b/p' }).messages.join()).toMatch(/not supported/);
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.fileType': 'DataStream', serializer: 'txt' }).messages.join()).toMatch(
      /unknown serializer/,
    );
    // Flume's FlumeAuthenticationUtil: both or neither
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.kerberosPrincipal': 'flume/_HOST@X' }).messages.join()).toMatch(
      /Keytab can not be null when Principal is provided/,
    );
    expect(problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.kerberosKeytab': '/k.keytab' }).messages.join()).toMatch(
      /Principal can not be null when keytab is provided/,
    );
    expect(
      problems({ 'hdfs.path': 'hdfs://nn/p', 'hdfs.kerberosPrincipal': 'flume/_HOST@X', 'hdfs.kerberosKeytab': '/k.keytab' }).messages,
    ).toEqual([]);
    expect(problems({ 'hdfs.path': 'hdfs://nn/%Y/p', 'hdfs.fileType': 'DataStream', serializer: 'header_and_text' }).messages).toEqual([]);
  });

  it('resolves codecs the way Flume matches Hadoop codec names', () => {
    expect(resolveCodec('gzip')?.extension).toBe('.gz');
    expect(resolveCodec('GzipCodec')?.className).toBe('org.apache.hadoop.io.compress.GzipCodec');
    expect(resolveCodec('org.apache.hadoop.io.compress.DefaultCodec')?.extension).toBe('.deflate');
    expect(resolveCodec('deflate')?.className).toBe('org.apache.hadoop.io.compress.DeflateCodec');
    expect(resolveCodec('None')).toBeUndefined();
    expect(resolveCodec('snappy')?.extension).toBe('.snappy');
    expect(resolveCodec('bzip2')?.extension).toBe('.bz2');
    expect(resolveCodec('org.apache.hadoop.io.compress.Lz4Codec')?.extension).toBe('.lz4');
    expect(() => resolveCodec('ZStandardCodec')).toThrow(/ZStandardCodec is not supported/);
  });

  it('fails a transaction cleanly when HDFS is unreachable: rolled back, events kept', async () => {
    const ch = memory();
    const sink = create(
      hdfsSink,
      { 'hdfs.path': 'webhdfs://127.0.0.1:1/x', 'hdfs.fileType': 'DataStream', 'hdfs.callTimeout': '2000' },
      { channel: ch },
    );
    await sink.start();
    const tx = ch.begin();
    tx.put({ headers: {}, body: Buffer.from('a') });
    await tx.commit();
    await expect(sink.process()).rejects.toThrow(/ECONNREFUSED/);
    expect(ch.size()).toBe(1);
    expect(sink.counter.get('EventWriteFail')).toBe(1);
    await sink.stop();
  });
});
