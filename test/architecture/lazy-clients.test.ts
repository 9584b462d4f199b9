/**
 * Protocol clients load on first use: importing the CLI and the registry (what every agent does) loads none of
 * kafkajs, avsc, snappyjs, the Elasticsearch client or the Kerberos bindings (kerberos, koffi). Checked on the built
 * dist/ in a fresh process.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HEAVY = /node_modules\/(kafkajs|avsc|snappyjs|@elastic|rhea|kerberos|koffi|node-rdkafka)\//;

describe('lazy protocol clients', () => {
  it('the CLI and the registry load no protocol client', () => {
    const script = `
      import { createRequire } from 'node:module';
      await import('./dist/cli/main.js');
      const reg = await import('./dist/components/registry.js');
      reg.builtinRegistry();
      console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
    const loaded: string[] = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }),
    );
    expect(loaded.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  it('a Kafka component loads kafkajs when it is used', () => {
    const script = `
      import { createRequire } from 'node:module';
      const { kafkajs } = await import('./dist/components/shared/lazy.js');
      kafkajs();
      console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
    const loaded: string[] = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }),
    );
    expect(loaded.some((m) => /node_modules\/kafkajs\//.test(m))).toBe(true);
  });
});
