/**
 * The `flume-ts` command line: `agent` (flume-ng's flags), `validate`, `docs`, `version`. Each command's module is
 * imported only when it runs: an agent does not load validate's, docs' or the other commands' code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { flushLogs } from '../core/logging.js';
import { errorMessage } from '../core/errors.js';
import { UsageError } from './flume-args.js';
import { COMMANDS } from './commands.js';
import { startupJit } from './jit.js';
import { dropLauncherEnv } from './launcher-env.js';
import { USAGE } from './usage.js';

const pkgPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
export const VERSION: string = JSON.parse(readFileSync(pkgPath, 'utf8')).version;

/** `flume-ts validate` (validate.ts, loaded when used). */
export async function validateMain(
  argv: string[],
  io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) },
): Promise<number> {
  return (await import('./validate.js')).validateMain(argv, io);
}

/** The version line: flume-ts's version and the Flume release whose behaviour it follows. */
export const versionText = (): string => `flume-ts ${VERSION} (compatible with Apache Flume 1.11.0; Node.js ${process.version})`;

/** Runs one command; resolves with its exit status and whether it runs until a signal. */
async function dispatch(cmd: string | undefined, rest: string[]): Promise<{ code: number; longRunning: boolean }> {
  switch (cmd) {
    case 'node':
    case 'agent':
      return { code: await (await COMMANDS.agent!()).run(rest), longRunning: true };
    case 'validate':
      return { code: await validateMain(rest), longRunning: false };
    case 'docs':
      return { code: await (await import('./docs-command.js')).docsMain(rest), longRunning: false };
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
  startupJit(cmd);
  dropLauncherEnv();
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
