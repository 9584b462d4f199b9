import { pino, type Logger as PinoLogger, type Level } from 'pino';

export type Logger = PinoLogger;

let root: PinoLogger | undefined;

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

/**
 * The root logger: structured JSON lines on stderr (the journal collects them under systemd). Secrets are redacted
 * by key name wherever they appear in a logged object.
 */
export function rootLogger(level: string = process.env.FLUME_TS_LOG_LEVEL ?? 'info'): PinoLogger {
  if (!root) {
    root = pino(
      {
        level: toPinoLevel(level),
        base: { pid: process.pid },
        redact: {
          paths: ['*.password', '*.*.password', 'password', '*.sasl', 'sasl', '*.token', '*["sasl.jaas.config"]'],
          censor: '[redacted]',
        },
      },
      pino.destination({ dest: 2, sync: false }),
    );
  }
  return root;
}

/** Flushes pending log lines (before exit). */
export function flushLogs(): void {
  try {
    root?.flush();
  } catch {
    /* destination not ready */
  }
}
