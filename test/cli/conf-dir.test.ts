import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvFile, parseLog4j2Xml, parseLog4jProperties, parseSize } from '../../src/cli/conf-dir.js';
import { logSetupFrom } from '../../src/cli/logging-setup.js';

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'flume-conf', 'log4j2.xml');

describe('--conf DIR: flume-env.sh', () => {
  it('maps JAVA_OPTS -D options, honours FLUME_SSL_* and HADOOP_*, ignores the rest with a reason, runs nothing', () => {
    const env = parseEnvFile(
      [
        '# comment',
        'export JAVA_OPTS="-Xms100m -Xmx2000m -Dcom.sun.management.jmxremote"',
        'export JAVA_OPTS="$JAVA_OPTS -Dorg.apache.flume.log.printconfig=true -Dflume.monitoring.port=${PORT:-1}"',
        "FLUME_CLASSPATH='/opt/lib/*'",
        'export FLUME_SSL_TRUSTSTORE_PATH=/etc/ts.p12',
        'export HADOOP_CONF_DIR=/etc/hadoop/conf',
        'JAVA_HOME=/usr/lib/jvm/java-11',
        'rm -rf /',
      ].join('\n'),
    );
    expect(env.sysProps['com.sun.management.jmxremote']).toBe('');
    expect(env.sysProps['org.apache.flume.log.printconfig']).toBe('true');
    expect(env.env).toEqual({ FLUME_SSL_TRUSTSTORE_PATH: '/etc/ts.p12', HADOOP_CONF_DIR: '/etc/hadoop/conf' });
    const notes = env.notes.join('\n');
    expect(notes).toMatch(/-Xms100m ignored/);
    expect(notes).toMatch(/FLUME_CLASSPATH ignored: a Node process loads no jars/);
    expect(notes).toMatch(/JAVA_HOME ignored/);
    expect(notes).toMatch(/flume-env.sh:8: not a variable assignment, not run/);
  });
});

describe('--conf DIR: log configuration', () => {
  it("reads Flume 1.11's stock log4j2.xml: root INFO to the rolling ./flume.log, 100 MB, 20 archives, 1 GB", () => {
    const c = parseLog4j2Xml(readFileSync(FIXTURE, 'utf8'), {}, FIXTURE);
    expect(c).toMatchObject({ level: 'INFO', target: 'file', file: './flume.log', maxIndex: 20 });
    expect(c.maxBytes).toBe(100 * 1024 * 1024);
    expect(c.maxArchiveBytes).toBe(1024 ** 3);
  });

  it('reads a Flume 1.x log4j.properties', () => {
    const c = parseLog4jProperties(
      'flume.root.logger=DEBUG,LOGFILE\nflume.log.dir=/var/log/flume\nlog4j.appender.LOGFILE.MaxFileSize=10KB\nlog4j.appender.LOGFILE.MaxBackupIndex=3\n',
      'x',
    );
    expect(c).toMatchObject({ level: 'DEBUG', target: 'file', file: '/var/log/flume/flume.log', maxBytes: 10240, maxIndex: 3 });
  });

  it('-Dflume.root.logger, flume.log.dir and flume.log.file win over the conf directory', () => {
    const conf = parseLog4j2Xml(readFileSync(FIXTURE, 'utf8'), {}, FIXTURE);
    const console = logSetupFrom({ 'flume.root.logger': 'DEBUG,console' }, conf);
    expect(console.level).toBe('DEBUG');
    expect(console.file).toBeUndefined();
    const s = logSetupFrom({ 'flume.root.logger': 'WARN,LOGFILE', 'flume.log.dir': '/tmp/x', 'flume.log.file': 'a.log' }, undefined);
    expect(s).toMatchObject({ level: 'WARN', format: 'text', file: { file: '/tmp/x/a.log' } });
    expect(logSetupFrom({}, conf).file).toMatchObject({ file: './flume.log', maxIndex: 20 });
    expect(parseSize('100 MB')).toBe(104857600);
  });
});
