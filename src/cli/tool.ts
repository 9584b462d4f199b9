/**
 * `flume-ng tool`: Flume's FlumeToolsMain has one tool, FCINTEGRITYTOOL (the file channel's integrity checker, which
 * removes corrupt events from the data files). flume-ts does not have it: the command lists it, says so and exits 1.
 */
import type { Command } from './command.js';

export const TOOL_USAGE = `Usage: flume-ng tool TOOLNAME [args]
Flume's tools: FCINTEGRITYTOOL (file channel integrity tool). flume-ts implements none of them: its file channel
checks every record's checksum when it replays the log at start and reports corrupt records (docs/file-channel.md).`;

export const toolCommand: Command = {
  summary: "Flume's tools (FCINTEGRITYTOOL): listed, not implemented",
  run: async (argv) => {
    const name = argv[0];
    if (name === undefined || name === '-h' || name === '--help') {
      console.log(TOOL_USAGE);
      return name === undefined ? 1 : 0;
    }
    if (name.toUpperCase() === 'FCINTEGRITYTOOL') {
      console.error('flume-ts: FCINTEGRITYTOOL is not implemented in flume-ts (see flume-ng tool --help)');
    } else console.error(`flume-ts: Cannot find tool matching ${name}. Please select one of: FCINTEGRITYTOOL`);
    return 1;
  },
};
