/** The channel conformance suite against the in-process channels (Kafka: test/integration/conformance/). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileChannel, type FileChannel } from '../../src/components/channels/file/index.js';
import { spillableMemoryChannel } from '../../src/components/channels/spillable_memory/index.js';
import type { SpillableMemoryChannel } from '../../src/components/channels/spillable_memory/channel.js';
import { create, memory } from '../support/context.js';
import { channelConformance } from './channel-suite.js';

channelConformance({
  name: 'memory',
  bounded: true,
  open: async ({ capacity, transactionCapacity }) => {
    const ch = memory('c1', capacity, transactionCapacity);
    await ch.start();
    return ch;
  },
  close: (ch) => ch.stop(),
});

const fileDirs = new Map<object, string>();
channelConformance({
  name: 'file',
  bounded: true,
  open: async ({ capacity, transactionCapacity }) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-conformance-'));
    const ch = create(
      fileChannel,
      {
        checkpointDir: path.join(root, 'ckpt'),
        dataDirs: path.join(root, 'data'),
        capacity: String(capacity),
        transactionCapacity: String(transactionCapacity),
        minimumRequiredSpace: '1048576',
        'keep-alive': '0',
      },
      { name: 'c1' },
    ) as FileChannel;
    await ch.start();
    fileDirs.set(ch, root);
    return ch;
  },
  close: async (ch) => {
    await ch.stop();
    fs.rmSync(fileDirs.get(ch)!, { recursive: true, force: true });
  },
});

const spillDirs = new Map<object, string>();
for (const spill of [false, true]) {
  channelConformance({
    name: spill ? 'SPILLABLEMEMORY (spilling to its file channel)' : 'SPILLABLEMEMORY (memory only)',
    // as Flume's SpillableMemoryChannel (an unbounded putList), transactionCapacity bounds only the overflow's
    // transactions, not a put into the memory part: the capacity case does not apply
    bounded: false,
    open: async ({ capacity, transactionCapacity }) => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spill-conformance-'));
      // spilling: a memory part smaller than a transaction, the rest of the capacity in the overflow
      const memoryCapacity = spill ? Math.max(1, Math.floor(transactionCapacity / 2)) : capacity;
      const ch = create(
        spillableMemoryChannel,
        {
          memoryCapacity: String(memoryCapacity),
          overflowCapacity: String(capacity - memoryCapacity),
          overflowTimeout: '0',
          transactionCapacity: String(transactionCapacity),
          checkpointDir: path.join(root, 'ckpt'),
          dataDirs: path.join(root, 'data'),
          minimumRequiredSpace: '1048576',
          'keep-alive': '0',
        },
        { name: 'c1' },
      ) as SpillableMemoryChannel;
      await ch.start();
      spillDirs.set(ch, root);
      return ch;
    },
    close: async (ch) => {
      await ch.stop();
      fs.rmSync(spillDirs.get(ch)!, { recursive: true, force: true });
    },
  });
}
