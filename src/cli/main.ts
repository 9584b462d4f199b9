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
import { runAgent } from '../runtime/supervisor.js';
import { readConfigs } from '../runtime/config-files.js';
import { rootLogger, flushLogs } from '../core/logging.js';
import { renderCodesDocs, renderComponentDocs, updateCompatibilityDoc } from './docs.js';
import { avroClientMain } from './avro-client.js';
import { graphMain } from './graph.js';
import { topMain } from './top.js';
import { checkEnvironment } from './environment.js';
import { FlumeError, errorMessage } from '../core/errors.js';

const pkgPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
export const VERSION: string = JSON.parse(readFileSync(pkgPath, 'utf8')).version;

const USAGE = `Usage: flume-ts <command> [options]

Commands:
  agent      run an agent:     flume-ts agent --conf-file FILE --name NAME [options]
  validate   check a config:   flume-ts validate --conf-file FILE [--name NAME] [--format text|json] [--strict]
                                 [--check-environment]  (also: ports free, directories writable, hosts resolvable here)
  docs       write the component reference: flume-ts docs [--codes | --compatibility] [--out FILE] [--check]
  avro-client  send lines to an avro source: flume-ts avro-client -H HOST -p PORT [-F FILE] [-R HEADERFILE]
  graph      draw the flow:    flume-ts graph --conf-file FILE --name NAME [--format svg|dot|mermaid] [-o FILE]
  top        live view of a running agent: flume-ts top [--host H --port P | URL] [--interval S]
  version    print the version

agent options (flume-ng's):
  -f, --conf-file FILE    configuration file (repeatable; later files override earlier keys)
  -n, --name NAME         the agent name (the key prefix in the file)
  -c, --conf DIR          configuration directory (accepted for compatibility)
  -D key=value            a system property: \${sys:key}, flume.root.logger=LEVEL,console,
                          flume.monitoring.type=http, flume.monitoring.port=PORT, propertiesImplementation=…
  -i, --poll-interval S   seconds between checks of the config file for changes (default 30)
      --no-reload-conf    do not reload the configuration when the file changes
      --strict            refuse to start on any configuration problem (warnings included)
      --drain-timeout S   on SIGTERM, seconds to let sinks drain the channels (default 10)
  -h, --help              this help
`;

/** Options of flume-ng's launcher script that mean nothing here (JVM and classpath flags). */
function stripJvmFlags(argv: string[], warn: (m: string) => void): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^-(X|javaagent|agentlib|agentpath)/.test(a)) {
      warn(`ignoring JVM option ${a}`);
      continue;
    }
    if (a === '-C' || a === '--classpath' || a === '--plugins-path') {
      warn(`ignoring ${a} ${argv[i + 1] ?? ''}`);
      i++;
      continue;
    }
    if (a === '-d' || a === '--dryrun') {
      warn(`ignoring ${a}`);
      continue;
    }
    out.push(a);
  }
  return out;
}

function sysPropsOf(defs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of defs ?? []) {
    const eq = d.indexOf('=');
    if (eq < 0) out[d] = '';
    else out[d.slice(0, eq)] = d.slice(eq + 1);
  }
  return out;
}

/** A wrong command line: printed with a pointer to `flume-ts help`, exit status 2. */
class UsageError extends FlumeError {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super('FLUME_USAGE', message);
  }
}

function printDiagnostics(ds: readonly Diagnostic[], out: (s: string) => void, includeInfo = false): void {
  for (const d of ds) if (includeInfo || d.severity !== 'info') out(formatDiagnostic(d));
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
      for (const d of p.dropped) io.out(`agent ${agent}: Flume would drop ${d.kind} ${d.name} (${d.reason})`);
    }
    io.out(`${errors} error(s), ${warnings} warning(s)`);
  }
  return errors > 0 || (values.strict && warnings > 0) ? 1 : 0;
}

function logLevelFrom(sysProps: Record<string, string>): string | undefined {
  const v = sysProps['flume.root.logger'];
  return v ? v.split(',')[0] : undefined;
}

/** `flume-ts agent`. Resolves with the exit code once the agent has stopped. */
export async function agentMain(argv: string[]): Promise<number> {
  const warnings: string[] = [];
  const args = stripJvmFlags(argv, (m) => warnings.push(m));
  const { values } = parseArgs({
    args,
    options: {
      'conf-file': { type: 'string', short: 'f', multiple: true },
      'conf-uri': { type: 'string', short: 'u', multiple: true },
      name: { type: 'string', short: 'n' },
      conf: { type: 'string', short: 'c' },
      D: { type: 'string', short: 'D', multiple: true },
      'poll-interval': { type: 'string', short: 'i' },
      'no-reload-conf': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      'drain-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sysProps = sysPropsOf(values.D);
  const root = rootLogger(logLevelFrom(sysProps) ?? process.env.FLUME_TS_LOG_LEVEL ?? 'info');
  const logger = root.child({ component: 'cli' });
  for (const w of warnings) logger.warn(w);
  const files = [...(values['conf-uri'] ?? []), ...(values['conf-file'] ?? [])];
  if (values['conf-uri']?.length && values['conf-file']?.length) {
    logger.warn('both --conf-uri and --conf-file given: Flume uses only --conf-uri; flume-ts reads both, --conf-file last');
  }
  if (files.some((f) => /^https?:/.test(f))) throw new UsageError('http(s) configuration URIs are not supported yet; use a file');
  if (!files.length) throw new UsageError('agent needs --conf-file FILE (Flume: "No configuration was provided")');
  if (!values.name) throw new UsageError('agent needs --name NAME');
  const pollIntervalS = values['no-reload-conf'] ? undefined : Number(values['poll-interval'] ?? 30);
  return runAgent({
    files,
    name: values.name,
    sysProps,
    registry: builtinRegistry(),
    // the plugin resolver hook: (re)loads the plugin modules the config files name before each load
    plugins: async () => {
      const p = await registryWithPlugins(builtinSpecs, readConfigs(files), { sysProps });
      for (const pl of p.plugins) logger.info({ plugin: pl.specifier, file: pl.file, components: pl.types }, 'plugin loaded');
      return p;
    },
    root,
    strict: values.strict,
    pollIntervalS,
    drainMs: Math.max(0, Number(values['drain-timeout'] ?? 10)) * 1000,
  });
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

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  let code = 0;
  try {
    switch (cmd) {
      case 'agent':
      case 'node':
        code = await agentMain(rest);
        break;
      case 'validate':
        code = await validateMain(rest);
        break;
      case 'avro-client':
        code = await avroClientMain(rest);
        break;
      case 'graph':
        code = await graphMain(rest);
        break;
      case 'top':
        code = await topMain(rest);
        break;
      case 'docs': {
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
          code = current === text ? 0 : 1;
          if (code) console.error(`${values.out} is out of date: run npm run docs`);
        } else if (values.out) writeFileSync(values.out, text);
        else process.stdout.write(text);
        break;
      }
      case 'version':
      case '--version':
        console.log(`flume-ts ${VERSION}`);
        break;
      case 'help':
      case '-h':
      case '--help':
      case undefined:
        console.log(USAGE);
        code = cmd === undefined ? 2 : 0;
        break;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`flume-ts: ${err.message}`);
      console.error(`Run "flume-ts help" for usage.`);
      code = err.exitCode;
    } else if (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`flume-ts: ${err.message}`);
      code = 2;
    } else {
      console.error(`flume-ts: ${errorMessage(err)}`);
      code = 1;
    }
  }
  flushLogs();
  process.exitCode = code;
  if (cmd === 'agent' || cmd === 'node') setTimeout(() => process.exit(code), 200).unref();
}
