/**
 * `flume-ts validate`: every problem of a configuration with its location, and what Flume would drop. It resolves the
 * built-in components like the agent does (only the modules the configuration names are loaded).
 */
import { parseArgs } from 'node:util';
import { builtinCatalog } from '../components/catalog.js';
import { registryWithPlugins } from '../plugins/loader.js';
import { loadAgent, countBySeverity, type LoadResult } from '../config/model.js';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import { readConfigs } from '../runtime/config-files.js';
import { setSystemProperties } from '../core/system-properties.js';
import { checkEnvironment } from './environment.js';
import { UsageError } from './flume-args.js';
import { LIMIT_REASON } from '../config/component-props.js';
import { USAGE } from './usage.js';

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
  const plugins = await registryWithPlugins(builtinCatalog, configs, { sysProps });
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
