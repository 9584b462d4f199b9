/**
 * The `flume-ts` command line: `agent` (flume-ng's flags), `validate`, `docs`, `version`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { builtinRegistry, builtinSpecs } from '../components/registry.js';
import { registryWithPlugins } from '../plugins/loader.js';
import { Registry } from '../config/registry.js';
import { loadAgent, countBySeverity, type LoadResult } from '../config/model.js';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import { readConfigs } from '../runtime/config-files.js';
import { flushLogs } from '../core/logging.js';
import { setSystemProperties } from '../core/system-properties.js';
import { renderCodesDocs, renderComponentDocs, updateCompatibilityDoc } from './docs.js';
import { checkEnvironment } from './environment.js';
import { errorMessage } from '../core/errors.js';
import { UsageError } from './flume-args.js';
import { LIMIT_REASON } from '../config/component-props.js';
import { COMMANDS } from './commands.js';

const pkgPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
export const VERSION: string = JSON.parse(readFileSync(pkgPath, 'utf8')).version;

const USAGE = `Usage: flume-ts <command> [options]   (also installed as flume-ng, with flume-ng's commands and options)

Commands:
  agent        run an agent:     flume-ts agent --conf-file FILE --name NAME [options]   (agent --help for all options)
  validate     check a config:   flume-ts validate --conf-file FILE [--name NAME] [--format text|json] [--strict]
                                   [--check-environment]  (also: ports free, directories writable, hosts resolvable here)
  docs         write the component reference: flume-ts docs [--codes | --compatibility] [--out FILE] [--check]
  avro-client  send lines to an avro source: flume-ts avro-client -H HOST -p PORT [-F FILE] [-R HEADERFILE]
  graph        draw the flow:    flume-ts graph --conf-file FILE --name NAME [--format svg|dot|mermaid] [-o FILE]
  top          live view of a running agent: flume-ts top [--host H --port P | URL] [--interval S]
  tool         Flume's tools (FCINTEGRITYTOOL): not implemented, listed
  version      print the version
  help         this help; COMMAND --help: the options of one command, with examples

Examples:
  flume-ts agent -n a1 -f conf/example.conf
  flume-ts validate -f conf/example.conf -n a1
  flume-ng agent -n a1 -c conf -f conf/flume.conf -Dflume.root.logger=INFO,console
`;

function sysPropsOf(defs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of defs ?? []) {
    const eq = d.indexOf('=');
    if (eq < 0) out[d] = '';
    else out[d.slice(0, eq)] = d.slice(eq + 1);
  }
  return out;
}

function printDiagnostics(ds: readonly Diagnostic[], out: (s: string) => void, includeInfo = false): void {
  for (const d of ds) if (includeInfo || d.severity !== 'info') out(formatDiagnostic(d));
}

/** validate's summary line for a dropped component, saying who drops what. */
function droppedLine(agent: string, d: { kind: string; name: string; reason: string }): string {
  if (d.reason === LIMIT_REASON) return `agent ${agent}: flume-ts drops ${d.kind} ${d.name} (${d.reason})`;
  if (d.reason.startsWith('unknown type') && ['source', 'sink', 'channel'].includes(d.kind)) {
    return `agent ${agent}: Flume 1.11 would not start agent ${agent} at all (${d.kind} ${d.name}: ${d.reason}); flume-ts drops only ${d.kind} ${d.name}`;
  }
  return `agent ${agent}: Flume would drop ${d.kind} ${d.name} (${d.reason})`;
}

/** `flume-ts validate`: prints every problem with its location and what Flume would drop. */
export async function validateMain(
  argv: string[],
  io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) },
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'conf-file': { type: 'string', short: 'f', multiple: true },
      name: { type: 'string', short: 'n' },
      format: { type: 'string', default: 'text' },
      strict: { type: 'boolean', default: false },
      'check-environment': { type: 'boolean', default: false },
      D: { type: 'string', short: 'D', multiple: true },
      conf: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const files = values['conf-file'];
  if (!files?.length) throw new UsageError('validate needs --conf-file FILE');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format is text or json');
  const configs = readConfigs(files);
  const sysProps = sysPropsOf(values.D);
  setSystemProperties(sysProps);
  const plugins = await registryWithPlugins(builtinSpecs, configs, { sysProps });
  const registry = plugins.registry;
  let names = values.name ? [values.name] : loadAgent(configs, '\u0000', registry, { sysProps }).agents;
  if (names.length === 0) names = ['\u0000'];
  const results: Array<{ agent: string; result: LoadResult }> = names.map((n) => ({
    agent: n,
    result: loadAgent(configs, n, registry, { sysProps }),
  }));
  let errors = 0;
  let warnings = 0;
  const seen = new Set<string>();
  const all: Diagnostic[] = [...plugins.diagnostics];
  for (const { result } of results) {
    for (const d of result.diagnostics) {
      const key = formatDiagnostic(d);
      if (seen.has(key)) continue;
      seen.add(key);
      all.push(d);
    }
  }
  if (values['check-environment'])
    for (const { result } of results) if (result.plan) all.push(...(await checkEnvironment(configs, result.plan, sysProps)));
  const c = countBySeverity(all);
  errors = c.errors;
  warnings = c.warnings;
  if (values.format === 'json') {
    io.out(
      JSON.stringify(
        {
          agents: results.map(({ agent, result }) => ({
            name: agent,
            sources: result.plan?.sources.map((s) => s.name) ?? [],
            channels: result.plan?.channels.map((s) => s.name) ?? [],
            sinks: result.plan?.sinks.map((s) => s.name) ?? [],
            sinkgroups: result.plan?.sinkgroups.map((s) => s.name) ?? [],
            dropped: result.plan?.dropped ?? [],
          })),
          diagnostics: all,
          errors,
          warnings,
        },
        null,
        2,
      ),
    );
  } else {
    printDiagnostics(all, io.out);
    for (const { agent, result } of results) {
      if (!result.plan) continue;
      const p = result.plan;
      io.out(
        `agent ${agent}: runs sources [${p.sources.map((s) => s.name).join(' ')}] channels [${p.channels.map((s) => s.name).join(' ')}] ` +
          `sinks [${p.sinks.map((s) => s.name).join(' ')}]${p.sinkgroups.length ? ` sinkgroups [${p.sinkgroups.map((g) => g.name).join(' ')}]` : ''}`,
      );
      for (const d of p.dropped) io.out(droppedLine(agent, d));
    }
    io.out(`${errors} error(s), ${warnings} warning(s)`);
  }
  return errors > 0 || (values.strict && warnings > 0) ? 1 : 0;
}

/** `flume-ts docs --plugin X`: the reference of the components plugin modules declare. */
async function pluginDocs(specifiers: string[]): Promise<string> {
  const text = specifiers.map((s, i) => `a.sources.p${i}.type = ${s}\n`).join('');
  const p = await registryWithPlugins(builtinSpecs, [{ file: path.join(process.cwd(), 'plugins.conf'), text }]);
  const d = p.diagnostics[0];
  if (d) throw new UsageError(d.message, 1);
  const own = new Set(builtinSpecs);
  return renderComponentDocs(new Registry(p.registry.specs().filter((s) => !own.has(s))));
}

/** The version line: flume-ts's version and the Flume release whose behaviour it follows. */
export const versionText = (): string => `flume-ts ${VERSION} (compatible with Apache Flume 1.11.0; Node.js ${process.version})`;

async function docsMain(rest: string[]): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      codes: { type: 'boolean', default: false },
      compatibility: { type: 'boolean', default: false },
      plugin: { type: 'string', multiple: true },
    },
  });
  let text: string;
  if (values.plugin?.length) text = await pluginDocs(values.plugin);
  else if (values.codes) text = renderCodesDocs();
  else if (values.compatibility) {
    if (!values.out) throw new UsageError('docs --compatibility needs --out FILE (its hand-written parts are kept)');
    text = updateCompatibilityDoc(readFileSync(values.out, 'utf8'), builtinRegistry());
  } else text = renderComponentDocs(builtinRegistry());
  if (values.check) {
    const current = values.out ? readFileSync(values.out, 'utf8') : '';
    if (current === text) return 0;
    console.error(`${values.out} is out of date: run npm run docs`);
    return 1;
  }
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
  return 0;
}

/** Runs one command; resolves with its exit status and whether it runs until a signal. */
async function dispatch(cmd: string | undefined, rest: string[]): Promise<{ code: number; longRunning: boolean }> {
  switch (cmd) {
    case 'node':
    case 'agent':
      return { code: await (await COMMANDS.agent!()).run(rest), longRunning: true };
    case 'validate':
      return { code: await validateMain(rest), longRunning: false };
    case 'docs':
      return { code: await docsMain(rest), longRunning: false };
    case 'version':
    case '--version':
      console.log(versionText());
      return { code: 0, longRunning: false };
    case 'help':
    case '-h':
    case '--help':
    case undefined:
      console.log(USAGE);
      return { code: cmd === undefined ? 2 : 0, longRunning: false };
  }
  const load = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!load) throw new UsageError(`unknown command "${cmd}"`);
  const command = await load();
  return { code: await command.run(rest), longRunning: command.longRunning ?? false };
}

/** Prints an error the way the command line reports it; returns the exit status. */
export function reportError(err: unknown, prog: string): number {
  if (err instanceof UsageError) {
    console.error(`${prog}: ${err.message}`);
    console.error(`Run "${prog} help" for usage.`);
    return err.exitCode;
  }
  if (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
    console.error(`${prog}: ${err.message}`);
    return 2;
  }
  console.error(`${prog}: ${errorMessage(err)}`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  let code = 0;
  let longRunning = cmd === 'agent' || cmd === 'node';
  try {
    ({ code, longRunning } = await dispatch(cmd, rest));
  } catch (err) {
    code = reportError(err, 'flume-ts');
  }
  flushLogs();
  process.exitCode = code;
  if (longRunning) setTimeout(() => process.exit(code), 200).unref();
}
