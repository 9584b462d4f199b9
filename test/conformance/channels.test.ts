/** The channel conformance suite against the in-process channels (Kafka: test/integration/conformance/). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileChannel, type FileChannel } from '../../src/components/channels/file/index.js';
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
    const ch = create(fileChannel, {
      checkpointDir: path.join(root, 'ckpt'), dataDirs: path.join(root, 'data'), capacity: String(capacity),
      transactionCapacity: String(transactionCapacity), minimumRequiredSpace: '1048576', 'keep-alive': '0',
    }, { name: 'c1' }) as FileChannel;
    await ch.start();
    fileDirs.set(ch, root);
    return ch;
  },
  close: async (ch) => {
    await ch.stop();
    fs.rmSync(fileDirs.get(ch)!, { recursive: true, force: true });
  },
});
