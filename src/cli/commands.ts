/**
 * The sub-commands of `flume-ts` beyond the built-in ones of main.ts, loaded only when used. To add one: a module
 * under src/cli/ exporting a `Command` (command.ts), and one line below.
 */
import type { Command } from './command.js';

export const COMMANDS: Record<string, () => Promise<Command>> = {
  agent: () => import('./agent-command.js').then((m) => m.agentCommand),
  'avro-client': () => import('./avro-client.js').then((m) => m.avroClientCommand),
  tool: () => import('./tool.js').then((m) => m.toolCommand),
  graph: () => import('./graph.js').then((m) => ({ summary: 'draw the flow of a configuration', run: (argv) => m.graphMain(argv) })),
  top: () =>
    import('./top.js').then((m) => ({ summary: 'live view of a running agent', run: (argv) => m.topMain(argv), longRunning: true })),
};
