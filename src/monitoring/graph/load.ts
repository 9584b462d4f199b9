/** The flow graph of an agent from its configuration files (the CLI's `graph` and the running agent's `/graph.*`). */
import { loadAgent, mergeFiles, type ConfigFile, type LoadResult } from '../../config/model.js';
import type { ComponentLookup } from '../../config/spec.js';
import { buildFlowGraph, type FlowGraph, type RawLookup } from './model.js';

/** Reads `<agent>.<section>.<name>.<key>` from the merged, substituted files. */
export function rawLookup(configs: readonly ConfigFile[], agent: string, sysProps: Record<string, string> = {}): RawLookup {
  const merged = mergeFiles(configs, { sysProps }, []);
  return (section, name, key) => merged.get(`${agent}.${section}.${name}.${key}`)?.value.trim();
}

/** Validates the files for `agent` and builds its graph; undefined when the agent is not in the files. */
export function flowGraphOf(
  configs: readonly ConfigFile[],
  agent: string,
  registry: ComponentLookup,
  sysProps: Record<string, string> = {},
  loaded?: LoadResult,
): { graph?: FlowGraph; result: LoadResult } {
  const result = loaded ?? loadAgent(configs, agent, registry as never, { sysProps });
  if (!result.plan) return { result };
  return { graph: buildFlowGraph(result.plan, rawLookup(configs, agent, sysProps), result.diagnostics), result };
}
