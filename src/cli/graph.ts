/** `flume-ts graph -f FILE -n NAME [--format svg|dot|mermaid] [-o OUT]`: the agent's flow as a picture or as text. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { builtinCatalog } from '../components/catalog.js';
import { registryWithPlugins } from '../plugins/loader.js';
import { readConfigs } from '../runtime/config-files.js';
import { flowGraphOf } from '../monitoring/graph/load.js';
import { toDot, toMermaid } from '../monitoring/graph/text.js';
import { toSvg } from '../monitoring/graph/svg.js';
import { formatDiagnostic } from '../config/diagnostics.js';

export const GRAPH_USAGE = `Usage: flume-ts graph --conf-file FILE --name NAME [--format svg|dot|mermaid] [--out FILE] [-D key=value]

Draws the agent's flow: sources → interceptors → selectors → channels → sink groups → sinks. What Flume would
drop is drawn red and dashed, with the reason. Without --format, the format comes from --out's extension (.svg,
.dot/.gv, .mmd/.mermaid), else dot. Without --out, the text goes to standard output.

Examples:
  flume-ts graph -f conf/flume.conf -n a1 -o flow.svg
  flume-ts graph -f conf/flume.conf -n a1 --format mermaid
`;

type Io = { out: (s: string) => void; err: (s: string) => void };

function formatOf(format: string | undefined, out: string | undefined): string | undefined {
  if (format) return format;
  if (out?.endsWith('.svg')) return 'svg';
  if (out && /\.(mmd|mermaid)$/.test(out)) return 'mermaid';
  return 'dot';
}

export async function graphMain(
  argv: string[],
  io: Io = { out: (s) => process.stdout.write(s), err: (s) => console.error(s) },
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'conf-file': { type: 'string', short: 'f', multiple: true },
      name: { type: 'string', short: 'n' },
      format: { type: 'string' },
      out: { type: 'string', short: 'o' },
      D: { type: 'string', short: 'D', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(GRAPH_USAGE);
    return 0;
  }
  const format = formatOf(values.format, values.out);
  if (!values['conf-file']?.length || !values.name || !['svg', 'dot', 'mermaid'].includes(format ?? '')) {
    io.err(`flume-ts graph: needs --conf-file FILE, --name NAME and a --format of svg, dot or mermaid\n${GRAPH_USAGE}`);
    return 2;
  }
  const sysProps = Object.fromEntries((values.D ?? []).map((d) => [d.split('=')[0]!, d.slice(d.indexOf('=') + 1)]));
  const configs = readConfigs(values['conf-file']);
  const { registry } = await registryWithPlugins(builtinCatalog, configs, { sysProps });
  const { graph, result } = flowGraphOf(configs, values.name, registry, sysProps);
  if (!graph) {
    for (const d of result.diagnostics) io.err(formatDiagnostic(d));
    return 1;
  }
  const text = format === 'svg' ? toSvg(graph) : format === 'mermaid' ? toMermaid(graph) : toDot(graph);
  if (values.out) writeFileSync(values.out, text);
  else io.out(text);
  return 0;
}
