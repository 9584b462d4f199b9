/**
 * Command-line parsing as flume-ng does it: the launcher script (bin/flume-ng) takes `--conf/-c`, `--classpath/-C`,
 * `--dryrun/-d`, `--plugins-path`, `-D…`, `-X…` and `-agentlib…/-agentpath…/-javaagent…` out of the arguments, and
 * the Java main class parses the rest with commons-cli's DefaultParser: `--long value`, `--long=value`, `-s value`,
 * `-svalue`, and multi-letter short names such as `-prov`, `-user`, `-pwd`.
 */
import { FlumeError } from '../core/errors.js';

export interface OptDef {
  long: string;
  short?: string;
  /** Takes a value. */
  value: boolean;
}

export interface ParsedArgs {
  /** Values by long name, in order (a flag without value gets ''). */
  values: Map<string, string[]>;
  /** -Dkey=value, in order (later wins). */
  sysProps: Record<string, string>;
  /** Options the JVM would take (-X…, -agentlib…, -javaagent…): ignored by flume-ts. */
  jvm: string[];
  positionals: string[];
}

/** A wrong command line: printed with a pointer to the help, exit status 2 (flume-ng's script exits 1). */
export class UsageError extends FlumeError {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super('FLUME_USAGE', message);
  }
}

/** The launcher script's own options (bin/flume-ng), common to every sub-command. */
export const SCRIPT_OPTIONS: OptDef[] = [
  { long: 'conf', short: 'c', value: true },
  { long: 'classpath', short: 'C', value: true },
  { long: 'dryrun', short: 'd', value: false },
  { long: 'plugins-path', value: true },
];

function addSysProp(out: Record<string, string>, def: string): void {
  const eq = def.indexOf('=');
  if (eq < 0) out[def] = '';
  else out[def.slice(0, eq)] = def.slice(eq + 1);
}

/** Parses `argv` with the given options; unknown options are a UsageError (commons-cli: UnrecognizedOptionException). */
export function parseFlumeArgs(argv: readonly string[], defs: readonly OptDef[]): ParsedArgs {
  const out: ParsedArgs = { values: new Map(), sysProps: {}, jvm: [], positionals: [] };
  const byLong = new Map(defs.map((d) => [d.long, d]));
  const byShort = new Map(defs.filter((d) => d.short).map((d) => [d.short!, d]));
  const put = (d: OptDef, v: string) => out.values.set(d.long, [...(out.values.get(d.long) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('-D')) {
      // -Dkey=value (Java); flume-ts also takes `-D key=value`
      const def = a.length > 2 ? a.slice(2) : argv[++i];
      if (def === undefined) throw new UsageError('Missing argument for option: D');
      addSysProp(out.sysProps, def);
      continue;
    }
    if (/^-(X|agentlib|agentpath|javaagent)/.test(a)) {
      out.jvm.push(a);
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      out.positionals.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    let def = a.startsWith('--') ? byLong.get(name) : (byShort.get(name) ?? byLong.get(name));
    let inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (!def && !a.startsWith('--') && byShort.has(body[0]!)) {
      // -fFILE: a one-letter option with its value attached
      def = byShort.get(body[0]!)!;
      inline = body.slice(1);
    }
    if (!def) throw new UsageError(`Unrecognized option: ${a}`);
    if (!def.value) {
      put(def, '');
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`Missing argument for option: ${def.short ?? def.long}`);
    put(def, v);
  }
  return out;
}

/** The first value of an option (commons-cli's getOptionValue). */
export const first = (p: ParsedArgs, long: string): string | undefined => p.values.get(long)?.[0];
export const has = (p: ParsedArgs, long: string): boolean => p.values.has(long);
