/** Hadoop's client configuration as the HDFS sink reads it: XML, variable expansion, path qualification, NameNode HA. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HadoopConf,
  hadoopConfDirs,
  loadHadoopConf,
  nameserviceUrls,
  parseHadoopXml,
  qualifyPath,
  resolveTarget,
} from '../../../../src/components/sinks/hdfs/hadoop-conf.js';
import { FailoverClient, isFailover } from '../../../../src/components/sinks/hdfs/failover.js';
import { WebHdfsError, type HdfsClient } from '../../../../src/components/sinks/hdfs/webhdfs.js';

const site = (props: Record<string, string>, finals: string[] = []) =>
  `<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="configuration.xsl"?>\n<!-- a comment <property> -->\n<configuration>\n${Object.entries(
    props,
  )
    .map(
      ([k, v]) =>
        `  <property>\n    <name> ${k} </name>\n    <value>${v}</value>${finals.includes(k) ? '<final>true</final>' : ''}\n  </property>`,
    )
    .join('\n')}\n</configuration>\n`;

const conf = (props: Record<string, string>) => new HadoopConf().add(parseHadoopXml(site(props)));

const HA = {
  'fs.defaultFS': 'hdfs://mycluster',
  'dfs.nameservices': 'mycluster',
  'dfs.ha.namenodes.mycluster': 'nn1, nn2',
  'dfs.namenode.rpc-address.mycluster.nn1': 'nn1.example:8020',
  'dfs.namenode.rpc-address.mycluster.nn2': 'nn2.example:8020',
  'dfs.namenode.http-address.mycluster.nn1': 'nn1.example:50070',
  'dfs.namenode.http-address.mycluster.nn2': 'nn2.example:50070',
};

describe('Hadoop configuration files', () => {
  it('parses properties: names trimmed, entities, CDATA, empty values, comments skipped', () => {
    const xml =
      '<configuration><property><name>a</name><value>x &amp; y &lt;z&gt; &#65;</value></property>' +
      '<property><name>b</name><value><![CDATA[<raw>]]></value></property><property><name>c</name><value/></property>' +
      '<!-- <property><name>d</name><value>no</value></property> --></configuration>';
    expect(parseHadoopXml(xml)).toEqual([
      { name: 'a', value: 'x & y <z> A', final: false },
      { name: 'b', value: '<raw>', final: false },
      { name: 'c', value: '', final: false },
    ]);
    expect(() => parseHadoopXml('<html/>', 'x.xml')).toThrow(/x\.xml: not a Hadoop configuration file/);
  });

  it('later files override earlier ones unless final; ${var} expansion as Hadoop', () => {
    const c = new HadoopConf()
      .add(parseHadoopXml(site({ a: '1', b: '2', base: '/data' }, ['b'])))
      .add(parseHadoopXml(site({ a: '10', b: '20', dir: '${base}/nn', home: '${env.FLUME_TS_TEST_VAR}', u: '${user.name}' })));
    process.env.FLUME_TS_TEST_VAR = '/home/x';
    expect([c.get('a'), c.get('b'), c.get('dir'), c.get('home')]).toEqual(['10', '2', '/data/nn', '/home/x']);
    expect(c.get('u')).not.toContain('${');
    delete process.env.FLUME_TS_TEST_VAR;
  });

  it('reads core-site.xml then hdfs-site.xml from the --conf dir, then HADOOP_CONF_DIR, else HADOOP_HOME/etc/hadoop', () => {
    expect(hadoopConfDirs({ HADOOP_CONF_DIR: '/c', HADOOP_HOME: '/h' })).toEqual(['/c']);
    expect(hadoopConfDirs({ HADOOP_HOME: '/h' })).toEqual(['/h/etc/hadoop']);
    expect(hadoopConfDirs({ FLUME_CONF_DIR: '/f', HADOOP_CONF_DIR: '/c' })).toEqual(['/f', '/c']);
    expect(hadoopConfDirs({})).toEqual([]);
    const dir = mkdtempSync(path.join(tmpdir(), 'hadoop-conf-'));
    try {
      writeFileSync(path.join(dir, 'core-site.xml'), site({ 'fs.defaultFS': 'hdfs://nn:8020', x: 'core' }));
      writeFileSync(path.join(dir, 'hdfs-site.xml'), site({ x: 'hdfs' }));
      const c = loadHadoopConf(dir);
      expect(c.get('fs.defaultFS')).toBe('hdfs://nn:8020');
      expect(c.get('x')).toBe('hdfs');
      expect(c.files.map((f) => path.basename(f))).toEqual(['core-site.xml', 'hdfs-site.xml']);
      expect(loadHadoopConf(path.join(dir, 'missing')).props.size).toBe(0);
      // the first directory that has a file wins for that file (a class path lookup); the others come from the next
      const flumeConf = mkdtempSync(path.join(tmpdir(), 'flume-conf-'));
      writeFileSync(path.join(flumeConf, 'hdfs-site.xml'), site({ x: 'flume conf dir' }));
      const both = loadHadoopConf([flumeConf, dir]);
      expect([both.get('fs.defaultFS'), both.get('x')]).toEqual(['hdfs://nn:8020', 'flume conf dir']);
      rmSync(flumeConf, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hdfs.path resolution', () => {
  it('qualifies paths as Hadoop does: fs.defaultFS, /user/<user> for relative paths on HDFS, the process directory locally', () => {
    const hdfs = conf({ 'fs.defaultFS': 'hdfs://nn:8020/' });
    expect(qualifyPath('/flume/%Y', hdfs, 'alice')).toBe('hdfs://nn:8020/flume/%Y');
    expect(qualifyPath('flume/events', hdfs, 'alice')).toBe('hdfs://nn:8020/user/alice/flume/events');
    expect(qualifyPath('hdfs:///abs', hdfs, 'alice')).toBe('hdfs://nn:8020/abs');
    expect(qualifyPath('webhdfs://other:9870/p', hdfs, 'alice')).toBe('webhdfs://other:9870/p');
    const none = new HadoopConf();
    expect(qualifyPath('/p', none, 'alice')).toBe('file:///p');
    expect(qualifyPath('rel/p', none, 'alice', '/work/dir')).toBe('file:///work/dir/rel/p');
  });

  it('fs.defaultFS and dfs.namenode.http-address: no namenode and no hdfs.webhdfs.address needed', () => {
    const c = conf({ 'fs.defaultFS': 'hdfs://nn.example:8020', 'dfs.namenode.http-address': '0.0.0.0:50070' });
    expect(resolveTarget('/flume', { conf: c, user: 'u' })).toEqual({ baseUrls: ['http://nn.example:50070'], path: '/flume' });
    expect(resolveTarget('events', { conf: c, user: 'u' })).toEqual({ baseUrls: ['http://nn.example:50070'], path: '/user/u/events' });
    // another NameNode than the configured one: Hadoop's default HTTP port
    expect(resolveTarget('hdfs://other:8020/p', { conf: c, user: 'u' }).baseUrls).toEqual(['http://other:9870']);
    // HTTPS_ONLY: the https address
    const tls = conf({ 'fs.defaultFS': 'hdfs://nn:8020', 'dfs.http.policy': 'HTTPS_ONLY', 'dfs.namenode.https-address': 'nn:50470' });
    expect(resolveTarget('/p', { conf: tls, user: 'u' }).baseUrls).toEqual(['https://nn:50470']);
    // hdfs.webhdfs.address still wins
    expect(resolveTarget('/p', { conf: c, user: 'u', address: 'gw:14000' })).toEqual({ baseUrls: ['http://gw:14000'], path: '/p' });
    expect(resolveTarget('/p', { conf: new HadoopConf(), user: 'u' })).toEqual({ baseUrls: ['file://'], path: '/p' });
  });

  it('NameNode HA: hdfs://<nameservice>/p goes to every NameNode of the nameservice, in dfs.ha.namenodes order', () => {
    const c = conf(HA);
    expect(resolveTarget('hdfs://mycluster/flume', { conf: c, user: 'u' })).toEqual({
      baseUrls: ['http://nn1.example:50070', 'http://nn2.example:50070'],
      path: '/flume',
    });
    expect(resolveTarget('/flume', { conf: c, user: 'u' }).baseUrls).toHaveLength(2);
    expect(resolveTarget('webhdfs://mycluster/flume', { conf: c, user: 'u' }).baseUrls).toHaveLength(2);
    // no http address: the RPC host on the default port
    const rpcOnly = conf({ ...HA, 'dfs.namenode.http-address.mycluster.nn2': '' });
    rpcOnly.props.delete('dfs.namenode.http-address.mycluster.nn2');
    expect(nameserviceUrls(rpcOnly, 'mycluster')).toEqual(['http://nn1.example:50070', 'http://nn2.example:9870']);
    expect(() => nameserviceUrls(conf({ 'dfs.nameservices': 'ns', 'dfs.ha.namenodes.ns': 'a,b' }), 'ns')).toThrow(/no NameNode address/);
  });
});

/** A NameNode stand-in: answers as active or standby, or is down. */
function nn(name: string, state: { active: string; down?: string }, log: string[]): HdfsClient {
  const op = async (what: string) => {
    log.push(`${name}:${what}`);
    if (state.down === name) {
      throw new WebHdfsError(`connect ECONNREFUSED`, undefined, undefined, false, {
        cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      });
    }
    if (state.active !== name) {
      throw new WebHdfsError('HTTP 403 StandbyException', 403, 'StandbyException', false);
    }
    return true;
  };
  const c = {
    create: () => op('create').then(() => undefined),
    append: () => op('append').then(() => undefined),
    mkdirs: () => op('mkdirs'),
    rename: () => op('rename'),
    getFileStatus: () => op('stat').then(() => undefined),
    listStatus: () => op('ls').then(() => []),
    delete: () => op('delete'),
    truncate: () => op('truncate'),
    open: () => op('open').then(() => Buffer.alloc(0)),
    destroy: () => undefined,
  };
  return c as unknown as HdfsClient;
}

describe('NameNode failover', () => {
  it('a standby answer goes to the next NameNode, which is remembered until it fails', async () => {
    const state = { active: 'nn2' } as { active: string; down?: string };
    const log: string[] = [];
    const f = new FailoverClient([nn('nn1', state, log), nn('nn2', state, log)], ['nn1', 'nn2']);
    await f.mkdirs('/d');
    await f.append('/d/f', Buffer.from('x'));
    expect(log).toEqual(['nn1:mkdirs', 'nn2:mkdirs', 'nn2:append']);
    expect(f.activeName).toBe('nn2');
    state.active = 'nn1';
    state.down = 'nn2';
    log.length = 0;
    await f.create('/d/g', Buffer.from('y'));
    expect(log).toEqual(['nn2:create', 'nn1:create']);
    expect(f.activeName).toBe('nn1');
  });

  it('fails when no NameNode is active; never repeats a write whose bytes may be in the file', async () => {
    const f = new FailoverClient([nn('a', { active: 'x' }, []), nn('b', { active: 'x' }, [])], ['a', 'b']);
    await expect(f.mkdirs('/d')).rejects.toThrow(/StandbyException/);
    expect(isFailover(new WebHdfsError('reset', undefined, undefined, true))).toBe(false);
    // the DataNode step of a CREATE redirected by a standby: the standby refused it, nothing written
    expect(isFailover(new WebHdfsError('HTTP 403', 403, 'StandbyException', true))).toBe(true);
    expect(isFailover(new WebHdfsError('HTTP 403', 403, 'org.apache.hadoop.ipc.StandbyException', false))).toBe(true);
    expect(isFailover(new WebHdfsError('HTTP 500', 500, 'IOException', false))).toBe(false);
  });
});
