import { describe, expect, it } from 'vitest';
import { AGENT_OPTIONS } from '../../src/cli/agent-command.js';
import { first, parseFlumeArgs, UsageError } from '../../src/cli/flume-args.js';

describe('flume-ng argument parsing (launcher script + commons-cli DefaultParser)', () => {
  it('takes long, short, multi-letter short, attached and = forms', () => {
    const p = parseFlumeArgs(
      ['-n', 'a1', '-fone.conf', '--conf-file=two.conf', '-prov', 'x.Y', '-user', 'u', '-pwd', 'p', '--no-reload-conf', '-i', '5'],
      AGENT_OPTIONS,
    );
    expect(first(p, 'name')).toBe('a1');
    expect(p.values.get('conf-file')).toEqual(['one.conf', 'two.conf']);
    expect(first(p, 'conf-provider')).toBe('x.Y');
    expect(first(p, 'conf-user')).toBe('u');
    expect(first(p, 'conf-password')).toBe('p');
    expect(p.values.has('no-reload-conf')).toBe(true);
    expect(first(p, 'poll-interval')).toBe('5');
  });

  it('collects -D system properties (later wins), sets JVM options aside, keeps the launcher options', () => {
    const p = parseFlumeArgs(
      ['-Da=1', '-D', 'b=2', '-Da=3', '-Xmx20m', '-javaagent:/x.jar', '-c', 'conf', '-C', '/l/*', '--plugins-path', 'p', '-d'],
      AGENT_OPTIONS,
    );
    expect(p.sysProps).toEqual({ a: '3', b: '2' });
    expect(p.jvm).toEqual(['-Xmx20m', '-javaagent:/x.jar']);
    expect(first(p, 'conf')).toBe('conf');
    expect(first(p, 'classpath')).toBe('/l/*');
    expect(p.values.has('dryrun')).toBe(true);
  });

  it('refuses unknown options and a missing value, as commons-cli', () => {
    expect(() => parseFlumeArgs(['--bogus'], AGENT_OPTIONS)).toThrow(UsageError);
    expect(() => parseFlumeArgs(['-n'], AGENT_OPTIONS)).toThrow(/Missing argument for option: n/);
  });
});

describe('docs/compatibility.md keeps the command line true', () => {
  it('has a row naming every agent option flume-ng takes', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync('docs/compatibility.md', 'utf8');
    const flumeTsOnly = new Set(['strict', 'drain-timeout', 'log-format', 'help', 'name', 'conf-file']);
    for (const o of AGENT_OPTIONS) {
      if (flumeTsOnly.has(o.long)) continue;
      expect(doc, `--${o.long}`).toMatch(new RegExp(`(--${o.long}|-${o.short ?? '\u0000'}[\\s/\`])`));
    }
  });
});
