// Shared by the hive integration tests: Hive's own readers run from small Java checks (java/*.java) on the
// metastore's classpath plus hive-exec and Hadoop.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureArtifacts, JAVA17_OPENS } from '../../../scripts/services/lib.mjs';

const javaTool = (name: string) => (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', name) : name);

export function hiveClasspath(): string {
  const dist = ensureArtifacts('hive');
  const home = fs.readdirSync(dist).find((f) => f.startsWith('apache-hive-metastore-'));
  if (!home) throw new Error(`no apache-hive-metastore-* directory in ${dist}`);
  return [path.join(dist, home, 'lib', '*'), path.join(ensureArtifacts('hive-exec'), '*'), path.join(ensureArtifacts('hdfs'), '*')].join(
    path.delimiter,
  );
}

/** Runs one of java/<cls>.java (compiled once into `classes`); returns stdout lines. */
export function runHiveJava(classes: string, cls: string, args: string[], env: Record<string, string> = {}): string[] {
  if (!fs.existsSync(path.join(classes, `${cls}.class`))) {
    const src = path.join(import.meta.dirname, 'java', `${cls}.java`);
    const c = spawnSync(javaTool('javac'), ['-nowarn', '-d', classes, '-cp', hiveClasspath(), src], { encoding: 'utf8', timeout: 180_000 });
    if (c.status !== 0) throw new Error(`javac ${cls} failed: ${c.stderr.slice(-2000)}`);
  }
  const jvm = ['-Xmx256m', '-XX:TieredStopAtLevel=1', ...JAVA17_OPENS, '-cp', `${classes}${path.delimiter}${hiveClasspath()}`];
  const r = spawnSync(javaTool('java'), [...jvm, cls, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cls} failed (${r.status}): ${r.stderr.slice(-3000)}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}
