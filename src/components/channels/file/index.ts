/**
 * `type = file` (org.apache.flume.channel.file.FileChannel): the durable channel. Property names, defaults and
 * checks follow Flume's FileChannel.configure / FileChannelConfiguration; the on-disk format is ours
 * (docs/file-channel.md).
 */
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { defineComponent, prop, type SpecProblem } from '../../../config/spec.js';
import { FileChannel } from './channel.js';

export { FileChannel } from './channel.js';

const home = () => os.homedir().replace(/\\/g, '/');
/** Flume's code: Integer.MAX_VALUE - 500 MiB = 1623195647 (the user guide says 2146435071; the code wins). */
export const DEFAULT_MAX_FILE_SIZE = 2147483647 - 500 * 1024 * 1024;
const FLOOR_MINIMUM_REQUIRED_SPACE = 1024 * 1024;
const DEFAULT_CAPACITY = 1000000;
const DEFAULT_TRANSACTION_CAPACITY = 10000;
const DEFAULT_CHECKPOINT_INTERVAL = 30000;

/** Flume splits dataDirs on commas, trims and drops empty items. */
export const splitDirs = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

const ENCRYPTION = 'encryption.';

export const fileChannel = defineComponent({
  kind: 'channel',
  type: 'file',
  fqcn: 'org.apache.flume.channel.file.FileChannel',
  compatibility: 'partial',
  summary:
    'Durable channel: a write-ahead log with group commit plus periodic checkpoints; committed events survive kill -9 and (with fsyncPerTransaction) power loss.',
  notes:
    "The on-disk format is flume-ts's own (docs/file-channel.md), not Flume's: point it at new directories. " +
    'Encryption (encryption.*) is not supported and is refused. use-log-replay-v1, use-fast-replay and compressBackupCheckpoint are accepted and have no effect. ' +
    'Below minimumRequiredSpace puts are refused; takes still work so sinks can drain.',
  properties: {
    checkpointDir: prop.string({
      defaultDoc: '~/.flume/file-channel/checkpoint',
      doc: 'Directory for the checkpoint (locked with in_use.lock).',
    }),
    useDualCheckpoints: prop.boolean({
      default: false,
      doc: 'Also write every checkpoint to backupCheckpointDir; used when the primary is missing or corrupt.',
    }),
    backupCheckpointDir: prop.string({ doc: 'Directory for the backup checkpoint; must differ from checkpointDir.' }),
    dataDirs: prop.string({
      defaultDoc: '~/.flume/file-channel/data',
      doc: 'Comma-separated directories for the log files; transactions are spread over them.',
    }),
    capacity: prop.int({
      default: DEFAULT_CAPACITY,
      doc: 'Maximum number of events in the channel (≤0 falls back to 1000000, as in Flume).',
    }),
    transactionCapacity: prop.int({
      default: DEFAULT_TRANSACTION_CAPACITY,
      doc: 'Maximum puts or takes per transaction; must be ≤ capacity.',
    }),
    'keep-alive': prop.int({ default: 3, min: 0, doc: 'Seconds a commit of puts waits for space in a full channel.' }),
    checkpointInterval: prop.long({
      default: DEFAULT_CHECKPOINT_INTERVAL,
      doc: 'Milliseconds between checkpoints (≤0 falls back to 30000).',
    }),
    maxFileSize: prop.long({
      default: DEFAULT_MAX_FILE_SIZE,
      min: 1,
      doc: `Bytes per log file before a new one is started (capped at ${DEFAULT_MAX_FILE_SIZE}).`,
    }),
    minimumRequiredSpace: prop.long({
      default: 524288000,
      doc: 'Free bytes the data directory must keep; puts are refused below it (floor 1 MiB).',
    }),
    checkpointOnClose: prop.boolean({ default: true, doc: 'Write a checkpoint when the channel stops (faster restart).' }),
    fsyncPerTransaction: prop.boolean({
      default: true,
      doc: 'fdatasync before a commit returns (group commit shares one fdatasync among concurrent commits). false: sync every fsyncInterval seconds; a power loss may then lose the last seconds.',
    }),
    fsyncInterval: prop.int({ default: 5, min: 1, doc: 'Seconds between syncs when fsyncPerTransaction = false.' }),
    'use-log-replay-v1': prop.boolean({ default: false, doc: 'Accepted for compatibility; no effect (there is one replay).' }),
    'use-fast-replay': prop.boolean({
      default: false,
      doc: "Accepted for compatibility; no effect (replay never needs Flume's slow path).",
    }),
    compressBackupCheckpoint: prop.boolean({
      default: false,
      doc: 'Accepted for compatibility; no effect (the backup checkpoint is not compressed).',
    }),
  },
  prefixes: { [ENCRYPTION]: 'at-rest encryption (not supported: refused with an error)' },
  check: (c, raw) => {
    const out: SpecProblem[] = [];
    const enc = Object.keys(raw).filter((k) => k.startsWith(ENCRYPTION));
    if (enc.length > 0) {
      out.push({
        prop: enc[0],
        message: `file channel encryption (${enc.join(', ')}) is not supported by flume-ts`,
        limit: true,
        hint: 'remove the encryption.* properties and encrypt the data directories at the file-system level (e.g. dm-crypt/LUKS)',
      });
    }
    const capacity = c.capacity > 0 ? c.capacity : DEFAULT_CAPACITY;
    const txCap = c.transactionCapacity > 0 ? c.transactionCapacity : DEFAULT_TRANSACTION_CAPACITY;
    if (txCap > capacity) {
      out.push({
        prop: 'transactionCapacity',
        message: `File Channel transaction capacity cannot be greater than the capacity of the channel (${txCap} > ${capacity})`,
      });
    }
    if (c.useDualCheckpoints) {
      if (!c.backupCheckpointDir?.trim()) {
        out.push({
          prop: 'useDualCheckpoints',
          message:
            'Dual checkpointing is enabled, but the backup directory is not set. Please set backupCheckpointDir to enable dual checkpointing',
        });
      } else if (
        path.resolve(c.backupCheckpointDir.trim()) === path.resolve((c.checkpointDir ?? `${home()}/.flume/file-channel/checkpoint`).trim())
      ) {
        out.push({
          prop: 'backupCheckpointDir',
          message: 'The checkpoint backup directory and the checkpoint directory are configured to be the same.',
        });
      }
    }
    const cp = path.resolve((c.checkpointDir ?? `${home()}/.flume/file-channel/checkpoint`).trim());
    const data = splitDirs(c.dataDirs ?? `${home()}/.flume/file-channel/data`).map((d) => path.resolve(d));
    if (data.includes(cp)) out.push({ prop: 'dataDirs', message: `dataDirs must not include checkpointDir (${cp})` });
    if (new Set(data).size !== data.length) out.push({ prop: 'dataDirs', message: 'dataDirs lists the same directory twice' });
    if (c.capacity <= 0)
      out.push({
        prop: 'capacity',
        severity: 'warning',
        message: `capacity ${c.capacity} is not positive; using ${DEFAULT_CAPACITY} as Flume does`,
      });
    if (c.transactionCapacity <= 0)
      out.push({
        prop: 'transactionCapacity',
        severity: 'warning',
        message: `transactionCapacity ${c.transactionCapacity} is not positive; using ${DEFAULT_TRANSACTION_CAPACITY} as Flume does`,
      });
    if (c.checkpointInterval <= 0)
      out.push({
        prop: 'checkpointInterval',
        severity: 'warning',
        message: `checkpointInterval ${c.checkpointInterval} is not positive; using ${DEFAULT_CHECKPOINT_INTERVAL} as Flume does`,
      });
    return out;
  },
  transactionCapacity: (c) => (c.transactionCapacity > 0 ? c.transactionCapacity : DEFAULT_TRANSACTION_CAPACITY),
  create: (c, ctx) => {
    const dataDirs = splitDirs(c.dataDirs ?? `${home()}/.flume/file-channel/data`);
    return new FileChannel(ctx.name, {
      checkpointDir: (c.checkpointDir ?? `${home()}/.flume/file-channel/checkpoint`).trim(),
      backupCheckpointDir: c.backupCheckpointDir?.trim() || undefined,
      useDualCheckpoints: c.useDualCheckpoints,
      dataDirs,
      capacity: c.capacity > 0 ? c.capacity : DEFAULT_CAPACITY,
      transactionCapacity: c.transactionCapacity > 0 ? c.transactionCapacity : DEFAULT_TRANSACTION_CAPACITY,
      keepAliveSeconds: c['keep-alive'],
      checkpointIntervalMs: c.checkpointInterval > 0 ? c.checkpointInterval : DEFAULT_CHECKPOINT_INTERVAL,
      maxFileSize: Math.min(c.maxFileSize, DEFAULT_MAX_FILE_SIZE),
      minimumRequiredSpace: Math.max(c.minimumRequiredSpace, FLOOR_MINIMUM_REQUIRED_SPACE),
      checkpointOnClose: c.checkpointOnClose,
      fsyncPerTransaction: c.fsyncPerTransaction,
      fsyncIntervalSeconds: c.fsyncInterval,
      cacheBytes: Math.min(256 * 1024 * 1024, Math.floor(v8.getHeapStatistics().heap_size_limit * 0.15)),
      logger: ctx.logger,
    });
  },
});
