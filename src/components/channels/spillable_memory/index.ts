/**
 * `type = SPILLABLEMEMORY` (org.apache.flume.channel.SpillableMemoryChannel): memory first, our file channel as the
 * overflow. Property names, defaults and fallbacks follow Flume's SpillableMemoryChannel.configure; every file channel
 * property configures the overflow, except `capacity` (= overflowCapacity) and `keep-alive` (= 0), as in Flume.
 */
import v8 from 'node:v8';
import { defineComponent, prop, type SpecProblem } from '../../../config/spec.js';
import { fileChannel, type FileChannel } from '../file/index.js';
import { SpillableMemoryChannel } from './channel.js';

export { SpillableMemoryChannel } from './channel.js';

const DEFAULT_MEMORY_CAPACITY = 10000;
const DEFAULT_OVERFLOW_CAPACITY = 100000000;
const INT_MAX = 2147483647;

/** Flume: (int)((byteCapacity * (1 - pct/100)) / avgEventSize), and < 1 means Integer.MAX_VALUE. */
export function byteSlots(byteCapacity: number, bufferPercentage: number, avgEventSize: number): number {
  const s = Math.trunc((byteCapacity * (1 - bufferPercentage * 0.01)) / avgEventSize);
  return s < 1 ? INT_MAX : Math.min(s, INT_MAX);
}

/** Flume: memoryCapacity 0 and overflowCapacity 0 together fall back to the default overflowCapacity. */
const overflowCapacityOf = (c: { memoryCapacity: number; overflowCapacity: number }) =>
  c.memoryCapacity < 1 && c.overflowCapacity < 1 ? DEFAULT_OVERFLOW_CAPACITY : c.overflowCapacity;
const memoryCapacityOf = (c: { memoryCapacity: number }) => (c.memoryCapacity < 0 ? DEFAULT_MEMORY_CAPACITY : c.memoryCapacity);

const { capacity: _capacity, 'keep-alive': _keepAlive, ...overflowProps } = fileChannel.properties;

/** The overflow file channel's config: capacity = overflowCapacity, keep-alive = 0 (Flume puts them into the context). */
const overflowConfig = <C extends { memoryCapacity: number; overflowCapacity: number }>(c: C) => ({
  ...c,
  capacity: overflowCapacityOf(c),
  'keep-alive': 0,
});

export const spillableMemoryChannel = defineComponent({
  kind: 'channel',
  type: 'SPILLABLEMEMORY',
  fqcn: 'org.apache.flume.channel.SpillableMemoryChannel',
  summary: 'Memory queue that spills to a file channel when full; events are taken in the order they were committed.',
  notes:
    "As Flume's SpillableMemoryChannel: puts go to memory unless it stays full for overflowTimeout seconds (then, while " +
    'spilling, at once) and otherwise to the overflow file channel; a drain order keeps takes in commit order across both, ' +
    'and a take transaction stays on one side. Events in memory are lost on a crash (as in Flume); events that reached the ' +
    "overflow survive kill -9. The overflow is flume-ts's file channel (its own on-disk format, docs/file-channel.md). " +
    'Unlike Flume, a non-numeric value is a configuration error (Flume logs a warning and uses the default), and with ' +
    'overflowCapacity = 0 no overflow file channel is opened at all (Flume still opens one in the default directories).',
  properties: {
    memoryCapacity: prop.int({
      default: DEFAULT_MEMORY_CAPACITY,
      doc: 'Maximum events in memory; 0 sends everything to the overflow (< 0 falls back to 10000).',
    }),
    overflowCapacity: prop.int({
      default: DEFAULT_OVERFLOW_CAPACITY,
      doc: 'Maximum events in the overflow file channel; 0 disables the overflow (not with memoryCapacity 0).',
    }),
    overflowTimeout: prop.int({ default: 3, min: 0, doc: 'Seconds a put waits for memory space before it spills to the overflow.' }),
    overflowDeactivationThreshold: prop.int({
      default: 5,
      doc: 'Percent of free memory at which spilling stops (Flume: internal, undocumented).',
    }),
    byteCapacityBufferPercentage: prop.int({ default: 20, doc: 'Percent of byteCapacity kept as a buffer for headers.' }),
    byteCapacity: prop.long({
      defaultDoc: '80% of the V8 heap limit',
      doc: 'Maximum bytes of event bodies in memory (counted in avgEventSize slots).',
    }),
    avgEventSize: prop.int({
      default: 500,
      min: 1,
      doc: 'Estimated average event body size in bytes (the unit of byteCapacity accounting).',
    }),
    capacity: prop.int({ doc: "Ignored: the overflow's capacity is overflowCapacity (Flume overrides it too)." }),
    'keep-alive': prop.int({ doc: "Ignored: the overflow's keep-alive is 0 (Flume overrides it too)." }),
    ...overflowProps,
  },
  prefixes: fileChannel.prefixes,
  check: (c, raw) => {
    const out: SpecProblem[] = [];
    if (c.memoryCapacity < 0) {
      const message = `memoryCapacity must be >= 0; using ${DEFAULT_MEMORY_CAPACITY} as Flume does`;
      out.push({ prop: 'memoryCapacity', severity: 'warning', message });
    }
    if (c.memoryCapacity < 1 && c.overflowCapacity < 1) {
      out.push({
        prop: 'overflowCapacity',
        severity: 'warning',
        message: `overflowCapacity cannot be 0 when memoryCapacity is 0; using ${DEFAULT_OVERFLOW_CAPACITY} as Flume does`,
      });
    }
    if (overflowCapacityOf(c) >= 1) {
      const fileProblems = fileChannel.check!(overflowConfig(c) as never, raw);
      out.push(...fileProblems.filter((p) => p.prop !== 'capacity'));
    }
    return out;
  },
  transactionCapacity: (c) => fileChannel.transactionCapacity!(overflowConfig(c) as never),
  create: (c, ctx) => {
    const overflowCapacity = overflowCapacityOf(c);
    const overflow = overflowCapacity >= 1 ? (fileChannel.create(overflowConfig(c) as never, ctx) as FileChannel) : undefined;
    const byteCapacity = c.byteCapacity ?? Math.floor(v8.getHeapStatistics().heap_size_limit * 0.8);
    return new SpillableMemoryChannel(
      ctx.name,
      {
        memoryCapacity: memoryCapacityOf(c),
        overflowCapacity,
        overflowTimeoutSeconds: c.overflowTimeout,
        overflowDeactivationThreshold: c.overflowDeactivationThreshold / 100,
        byteSlots: byteSlots(byteCapacity, c.byteCapacityBufferPercentage, c.avgEventSize),
        avgEventSize: c.avgEventSize,
        overflow,
        logger: ctx.logger,
      },
      overflow?.transactionCapacity ?? fileChannel.transactionCapacity!(overflowConfig(c) as never)!,
    );
  },
});
