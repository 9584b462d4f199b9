/**
 * Where and how the agent logs, from Flume's knobs: `-Dflume.root.logger=LEVEL,console|LOGFILE`, `-Dflume.log.dir`,
 * `-Dflume.log.file` (Flume ≤ 1.9's log4j.properties names, still in Flume's user guide), the log configuration of
 * `--conf DIR` (conf-dir.ts), and flume-ts's `--log-format text|json` / FLUME_TS_LOG_FORMAT.
 *
 * Precedence: command-line -D, then the conf directory's log4j file, then defaults: INFO on the console (stderr).
 * Flume 1.11's stock log4j2.xml logs only to ./flume.log; flume-ts logs to stderr unless told LOGFILE, because under
 * systemd the journal collects stderr.
 */
import path from 'node:path';
import type { LogFormat, LogSetup } from '../core/logging.js';
import type { LogConfig } from './conf-dir.js';
import { UsageError } from './flume-args.js';

export function logFormatOf(v: string | undefined): LogFormat | undefined {
  if (v === undefined || v === '') return undefined;
  if (v !== 'text' && v !== 'json') throw new UsageError(`--log-format is text or json, not "${v}"`);
  return v;
}

export function logSetupFrom(sysProps: Readonly<Record<string, string>>, conf: LogConfig | undefined, format?: string): LogSetup {
  const [level, appender] = (sysProps['flume.root.logger'] ?? '').split(',').map((s) => s.trim());
  const target = appender ? (/^logfile$/i.test(appender) ? 'file' : 'console') : (conf?.target ?? 'console');
  const fmt = logFormatOf(format) ?? logFormatOf(process.env.FLUME_TS_LOG_FORMAT) ?? (target === 'file' ? 'text' : undefined);
  const setup: LogSetup = { level: level || conf?.level || process.env.FLUME_TS_LOG_LEVEL || 'info', format: fmt };
  if (target === 'file') {
    const dir = sysProps['flume.log.dir'];
    const name = sysProps['flume.log.file'];
    const file =
      dir !== undefined || name !== undefined
        ? path.join(dir ?? path.dirname(conf?.file ?? './flume.log'), name ?? path.basename(conf?.file ?? 'flume.log'))
        : (conf?.file ?? './flume.log');
    setup.file = { file, maxBytes: conf?.maxBytes, maxIndex: conf?.maxIndex, maxArchiveBytes: conf?.maxArchiveBytes };
  }
  return setup;
}
