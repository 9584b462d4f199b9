/**
 * The root logger. Lines go to stderr (Flume's console appender writes to SYSTEM_ERR) or to a rolling file (Flume's
 * LogFile appender, see log-file.ts), in one of two layouts:
 * - `text`: log4j-like, Flume's LogFile pattern `%d{dd MMM yyyy HH:mm:ss,SSS} %-5p [%t] (%C.%M:%L) - %m%n` with the
 *   component (e.g. `source.r1`) where Flume shows the thread, and the remaining fields after the message;
 * - `json`: one JSON object per line, every key once (a field logged with the same name as a binding replaces it).
 * The default is `text` on a terminal and `json` otherwise. Secrets are redacted by key name in logged objects.
 */
import { pino, type Logger as PinoLogger, type Level } from 'pino';
import { RollingFile, type RollingFileOptions } from './log-file.js';

export type Logger = PinoLogger;
export type LogFormat = 'text' | 'json';

export interface LogSetup {
  level?: string;
  /** Layout of the lines; default: text on a terminal (stderr is a TTY), json otherwise. */
  format?: LogFormat;
  /** Write to this rolling file instead of stderr. */
  file?: RollingFileOptions;
}

let root: PinoLogger | undefined;
let sink: { flush(): void; close?(): void } | undefined;

/** Maps log4j / Flume level names to pino's. */
export function toPinoLevel(level: string): Level {
  const l = level.trim().toLowerCase();
  switch (l) {
    case 'all':
    case 'trace':
      return 'trace';
    case 'debug':
      return 'debug';
    case 'info':
      return 'info';
    case 'warn':
    case 'warning':
      return 'warn';
    case 'error':
      return 'error';
    case 'fatal':
    case 'off':
      return 'fatal';
    default:
      return 'info';
  }
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** `dd MMM yyyy HH:mm:ss,SSS` in local time, as log4j's %d{dd MMM yyyy HH:mm:ss,SSS}. */
export function log4jDate(t: number): string {
  const d = new Date(t);
  return (
    `${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())},${String(d.getMilliseconds()).padStart(3, '0')}`
  );
}

const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'component', 'logger']);

function fieldText(v: unknown): string {
  return typeof v === 'string' ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v);
}

/** One pino JSON line as a log4j-like text line (with an error's stack on the following lines). */
export function textLine(o: Record<string, unknown>): string {
  const level = LEVEL_NAMES[o.level as number] ?? String(o.level);
  const logger = o.logger === undefined ? '' : ` (${String(o.logger)})`;
  const msg = String(o.msg ?? '');
  let extra = '';
  let stack = '';
  for (const [k, v] of Object.entries(o)) {
    if (HIDDEN.has(k) || v === undefined) continue;
    if (k === 'err' && v && typeof v === 'object' && 'stack' in v) {
      stack = `\n${String((v as { stack: unknown }).stack)}`;
      continue;
    }
    // a field the message already says (e.g. a diagnostic's code and location) is not repeated
    if (typeof v === 'string' && msg.includes(v)) continue;
    extra += ` ${k}=${fieldText(v)}`;
  }
  const time = typeof o.time === 'number' ? o.time : Date.now();
  return `${log4jDate(time)} ${level.padEnd(5)} [${String(o.component ?? 'main')}]${logger} - ${msg}${extra}${stack}\n`;
}

/**
 * Rewrites pino's line: JSON.parse keeps the last value of a repeated key, so re-serialising leaves every key once
 * (pino writes a child's binding and a logged field of the same name both).
 */
export function formatLine(line: string, format: LogFormat): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line);
  } catch {
    return line;
  }
  return format === 'text' ? textLine(o) : `${JSON.stringify(o)}\n`;
}

function destination(setup: LogSetup): { write(s: string): void; flush(): void; close?(): void } {
  const format = setup.format ?? (process.stderr.isTTY ? 'text' : 'json');
  if (setup.file) {
    const f = new RollingFile(setup.file);
    return { write: (s) => f.write(formatLine(s, format)), flush: () => {}, close: () => f.close() };
  }
  const out = pino.destination({ dest: 2, sync: false });
  return { write: (s) => out.write(formatLine(s, format)), flush: () => out.flushSync() };
}

/** Creates (or replaces) the root logger. */
export function configureLogging(setup: LogSetup = {}): PinoLogger {
  sink?.flush();
  sink?.close?.();
  const dest = destination(setup);
  sink = dest;
  root = pino(
    {
      level: toPinoLevel(setup.level ?? process.env.FLUME_TS_LOG_LEVEL ?? 'info'),
      base: { pid: process.pid },
      redact: {
        paths: ['*.password', '*.*.password', 'password', '*.sasl', 'sasl', '*.token', '*["sasl.jaas.config"]'],
        censor: '[redacted]',
      },
    },
    dest,
  );
  return root;
}

/** The root logger (created on first use: JSON or text on stderr, see configureLogging). */
export function rootLogger(level: string = process.env.FLUME_TS_LOG_LEVEL ?? 'info'): PinoLogger {
  return root ?? configureLogging({ level });
}

/** Flushes pending log lines (before exit). */
export function flushLogs(): void {
  try {
    sink?.flush();
  } catch {
    /* destination not ready */
  }
}
