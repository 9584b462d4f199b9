/**
 * The `flume-ng` command: Apache Flume's launcher (bin/flume-ng) with the same sub-commands and options, so that
 * scripts, cron lines and service units that call `flume-ng agent …` run flume-ts unchanged.
 *
 * As the launcher: the first argument is the mode (help, agent, node (deprecated), avro-client, version, tool); an
 * unknown mode prints "Error: Unknown or unspecified command" and the help, exit status 1.
 */
import { flushLogs } from '../core/logging.js';
import { setSystemProperties } from '../core/system-properties.js';
import { readEnvFile } from './conf-dir.js';
import { parseFlumeArgs, SCRIPT_OPTIONS } from './flume-args.js';
import { reportError, versionText } from './main.js';
import { COMMANDS } from './commands.js';
import { startupJit } from './jit.js';
import { dropLauncherEnv } from './launcher-env.js';

export const FLUME_NG_HELP = `Usage: flume-ng <command> [options]...

commands:
  help                      display this help text
  agent                     run a Flume agent (flume-ts)
  avro-client               run an avro Flume client
  version                   show Flume version info
  tool                      Flume's tools (FCINTEGRITYTOOL): not implemented in flume-ts

global options:
  --conf,-c <conf>          read <conf>/flume-env.sh (as assignments) and <conf>/log4j2.xml
  --classpath,-C <cp>       accepted and ignored: flume-ts loads no jars
  --dryrun,-d               do not actually start the agent, just print what would run
  --plugins-path <dirs>     accepted and ignored: plugins.d holds jars (flume-ts plugins are ES modules)
  -Dproperty=value          sets a system property
  -Xproperty=value          accepted and ignored (a JVM option)

agent options:
  --name,-n <name>          the name of this agent (required)
  --conf-file,-f <file>     specify a config file (required if -u is missing)
  --conf-uri,-u <uri>       file:, http: or https: URI of the configuration
  --conf-user,-user <user>  the user for accessing the configuration uri
  --conf-password,-pwd <password> the password for accessing the configuration uri
  --poll-interval,-i <s>    seconds between checks for a changed configuration
  --backup-directory,-b <dir> keep the last good configuration there
  --zkConnString,-z <str>   specify the ZooKeeper connection to use (required if -f missing)
  --zkBasePath,-p <path>    specify the base path in ZooKeeper for agent configs
  --no-reload-conf          do not reload config file if changed
  --help,-h                 display help text (flume-ng agent --help: all options and examples)

avro-client options:
  --rpcProps,-P <file>   RPC client properties file with server connection params
  --host,-H <host>       hostname to which events will be sent
  --port,-p <port>       port of the avro source
  --dirname <dir>        directory to stream to avro source
  --filename,-F <file>   text file to stream to avro source (default: std input)
  --headerFile,-R <file> File containing event headers as key/value pairs on each new line
  --help,-h              display help text

  Either --rpcProps or both --host and --port must be specified.

Examples:
  flume-ng agent -n a1 -c conf -f conf/flume.conf -Dflume.root.logger=INFO,console
  flume-ng avro-client -H localhost -p 41414 -F /var/log/app.log
  flume-ng version
`;

/** The launcher's own options, taken out before avro-client / tool see the rest; -D become system properties. */
function launcherArgs(argv: string[]): string[] {
  const rest: string[] = [];
  const props: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const script = SCRIPT_OPTIONS.find((o) => a === `--${o.long}` || (o.short && a === `-${o.short}`));
    if (script) {
      if (script.long === 'conf' && argv[i + 1]) {
        const env = readEnvFile(argv[i + 1]!);
        if (env) {
          for (const [k, v] of Object.entries(env.env)) process.env[k] = v;
          Object.assign(props, env.sysProps);
        }
      }
      if (script.value) i++;
      continue;
    }
    if (/^-(D|X|agentlib|agentpath|javaagent)./.test(a)) {
      if (a.startsWith('-D')) Object.assign(props, parseFlumeArgs([a], []).sysProps);
      continue;
    }
    rest.push(a);
  }
  setSystemProperties(props);
  return rest;
}

async function run(mode: string | undefined, rest: string[]): Promise<{ code: number; longRunning: boolean }> {
  switch (mode) {
    case 'help':
      console.log(FLUME_NG_HELP);
      return { code: 0, longRunning: false };
    case 'node':
      console.error('Warning: The "node" command is deprecated. Please use "agent" instead.');
      return { code: await (await COMMANDS.agent!()).run(rest), longRunning: true };
    case 'agent':
      return { code: await (await COMMANDS.agent!()).run(rest), longRunning: true };
    case 'avro-client':
      return { code: await (await COMMANDS['avro-client']!()).run(launcherArgs(rest)), longRunning: false };
    case 'tool':
      return { code: await (await COMMANDS.tool!()).run(launcherArgs(rest)), longRunning: false };
    case 'version':
      console.log(versionText());
      return { code: 0, longRunning: false };
    default:
      console.error(`Error: Unknown or unspecified command '${mode ?? ''}'`);
      console.error('');
      console.error(FLUME_NG_HELP);
      return { code: 1, longRunning: false };
  }
}

export async function flumeNgMain(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  startupJit(mode);
  dropLauncherEnv();
  let code = 0;
  let longRunning = mode === 'agent' || mode === 'node';
  try {
    ({ code, longRunning } = await run(mode, rest));
  } catch (err) {
    code = reportError(err, 'flume-ng');
  }
  flushLogs();
  process.exitCode = code;
  if (longRunning) setTimeout(() => process.exit(code), 200).unref();
}
