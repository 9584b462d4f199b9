/**
 * The TAILDIR source declaration (Flume's org.apache.flume.source.taildir.TaildirSource, flume-taildir-source 1.11).
 * The behaviour is in source.ts; the position file in position-file.ts; docs/taildir.md has the guarantees.
 */
import os from 'node:os';
import { defineComponent, prop, type SpecProblem } from '../../../config/spec.js';
import { compileNameRegex, splitPattern } from './matcher.js';
import { TaildirSource } from './source.js';

export { TaildirSource } from './source.js';

const LONG_MAX = Number.MAX_SAFE_INTEGER;

/** filegroups.<g> for each listed group that has one (Flume's selectByKeys: unlisted or unmapped groups are ignored). */
export function groupPatterns(groups: readonly string[], raw: Readonly<Record<string, string>>): Array<{ group: string; pattern: string }> {
  const out: Array<{ group: string; pattern: string }> = [];
  for (const g of new Set(groups)) {
    const pattern = raw[`filegroups.${g}`];
    if (pattern !== undefined && pattern !== '') out.push({ group: g, pattern });
  }
  return out;
}

/** headers.<g>.<key> = value, per group (Flume's header table). */
export function groupHeaders(raw: Readonly<Record<string, string>>): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const [k, v] of Object.entries(raw)) {
    if (!k.startsWith('headers.')) continue;
    const rest = k.slice('headers.'.length);
    const dot = rest.indexOf('.');
    if (dot <= 0 || dot === rest.length - 1) continue;
    const g = rest.slice(0, dot);
    const h = out.get(g) ?? {};
    h[rest.slice(dot + 1)] = v;
    out.set(g, h);
  }
  return out;
}

const NOTES =
  'Files are followed by dev:inode with an open handle, so a rename rotation (app.log → app.log.1, new app.log) loses ' +
  'and repeats nothing, also when the rotated name matches the pattern (Flume reads it again from 0) or does not ' +
  '(Flume drops its unread tail). A file that shrank under its position, or was truncated and rewritten past it ' +
  '(copytruncate), is read again from 0. Deleted files are read to their end and closed at once. The position file ' +
  "is Flume's JSON, written atomically (temp file + rename) after every committed batch as well as every " +
  'writePosInterval, so a crash replays at most one batch; positions of renamed-while-stopped files are found again ' +
  'by inode, and an entry whose inode was reused by a newer file is not applied. Directory watches (fs.watch) wake ' +
  'the source at once; polling with the backoff properties is the fallback. Lines longer than 64 MiB are delivered ' +
  'in pieces with a warning (Flume has no limit). A damaged position-file entry is logged and skipped (Flume fails).';

export const taildirSource = defineComponent({
  kind: 'source',
  type: 'TAILDIR',
  fqcn: 'org.apache.flume.source.taildir.TaildirSource',
  summary: 'Follows growing files matched by per-group regexes, by inode, with a JSON position file.',
  notes: NOTES,
  properties: {
    filegroups: prop.list({ required: true, doc: 'Space-separated file group names.' }),
    positionFile: prop.string({
      defaultDoc: '$HOME/.flume/taildir_position.json',
      doc: 'JSON file with the inode, position and path of each followed file (parent directories are created).',
    }),
    batchSize: prop.int({ default: 100, min: 1, doc: 'Lines per batch put to the channel.' }),
    skipToEnd: prop.boolean({ default: false, doc: 'Start at the end of files that have no entry in the position file.' }),
    byteOffsetHeader: prop.boolean({ default: false, doc: 'Add header `byteoffset` = the byte offset of the line in its file.' }),
    idleTimeout: prop.int({ default: 120000, min: 0, doc: 'ms without new lines after which a file is closed (checked every 5 s).' }),
    writePosInterval: prop.int({
      default: 3000,
      min: 1,
      doc: 'ms between position-file writes (also written after each committed batch).',
    }),
    maxBatchCount: prop.long({
      default: LONG_MAX,
      defaultDoc: 'Long.MAX_VALUE',
      doc: 'Consecutive batches read from one file before moving to the next; ≤ 0 means the default.',
    }),
    backoffSleepIncrement: prop.long({ default: 1000, min: 0, doc: 'Back-off step (ms) when no file has new lines and no watch fired.' }),
    maxBackoffSleep: prop.long({ default: 5000, min: 0, doc: 'Longest back-off (ms).' }),
    cachePatternMatching: prop.boolean({ default: true, doc: 'Reuse a directory listing until the directory changes.' }),
    fileHeader: prop.boolean({ default: false, doc: 'Add the absolute path of the file as a header.' }),
    fileHeaderKey: prop.string({ default: 'file', doc: 'Header name for fileHeader.' }),
  },
  prefixes: {
    'filegroups.': 'filegroups.<group> = /literal/directory/<file name regex>',
    'headers.': 'headers.<group>.<header> = value, static headers of a group',
  },
  check(c, raw) {
    const problems: SpecProblem[] = [];
    const groups = groupPatterns(c.filegroups, raw);
    for (const g of new Set(c.filegroups)) {
      if (groups.some((x) => x.group === g)) continue;
      problems.push({ prop: 'filegroups', severity: 'warning', message: `group "${g}" has no filegroups.${g}; Flume ignores it` });
    }
    if (groups.length === 0) problems.push({ prop: 'filegroups', message: "Mapping for tailing files is empty or invalid: 'filegroups.'" });
    for (const g of groups) {
      try {
        compileNameRegex(splitPattern(g.pattern).regex);
      } catch (err) {
        problems.push({ prop: `filegroups.${g.group}`, message: (err as Error).message });
      }
    }
    return problems;
  },
  batchSize: (c) => c.batchSize,
  create(c, ctx) {
    const headers = groupHeaders(ctx.raw);
    let maxBatchCount = c.maxBatchCount;
    if (maxBatchCount <= 0) {
      ctx.logger.warn({ maxBatchCount }, 'Invalid maxBatchCount specified, initializing source default maxBatchCount of Long.MAX_VALUE');
      maxBatchCount = LONG_MAX;
    }
    const positionFile = c.positionFile ?? os.homedir().replace(/\\/g, '/') + '/.flume/taildir_position.json';
    return new TaildirSource(
      ctx.name,
      {
        ...c,
        maxBatchCount,
        positionFile,
        filegroups: groupPatterns(c.filegroups, ctx.raw).map((g) => ({ ...g, headers: headers.get(g.group) })),
      },
      ctx.processor,
      ctx.logger,
    );
  },
});
