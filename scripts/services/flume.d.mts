import type { ChildProcess } from 'node:child_process';

export const DEFAULT_HEAP: string;

export interface FlumeOptions {
  /** agent properties file */
  confFile: string;
  /** agent name */
  name: string;
  /** -D system properties, e.g. { 'flume.monitoring.type': 'http', 'flume.monitoring.port': '41414' } */
  props?: Record<string, string>;
  /** -Xms/-Xmx, default 1g (FLUME_TS_FLUME_HEAP) */
  heap?: string;
  /** where flume.log goes; default .services/flume/<name>-<time>-<pid> */
  logDir?: string;
  /** root log level, default INFO */
  logLevel?: string;
  /** extra JVM options */
  jvmArgs?: string[];
  /** extra org.apache.flume.node.Application arguments, e.g. ['--no-reload-conf'] */
  args?: string[];
}

export function flumeCommand(o: FlumeOptions): { cmd: string; args: string[]; logDir: string; logFile: string };
export function startFlume(o: FlumeOptions): { child: ChildProcess; pid: number; logDir: string; logFile: string };
export function parseFlumeArgs(argv: string[]): FlumeOptions;
