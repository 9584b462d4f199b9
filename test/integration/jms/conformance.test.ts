/**
 * The source conformance suite (producer kind) for the jms source against the shared Artemis broker: the test
 * sends messages to a fresh queue per run, the source is polled in a loop like Flume's PollableSourceRunner.
 */
import { afterAll, beforeAll } from 'vitest';
import type { JmsSource } from '../../../src/components/sources/jms/jms.js';
import { jmsSource } from '../../../src/components/sources/jms/index.js';
import { create } from '../../support/context.js';
import { type Services, useServices } from '../../support/services.js';
import { sourceConformance } from '../../conformance/source-suite.js';
import { config, send } from './helpers.js';

let svc: Services<'artemis'>;
beforeAll(async () => {
  svc = await useServices(['artemis']);
}, 240_000);
afterAll(async () => svc?.release());

let run = 0;
sourceConformance({
  name: 'jms',
  kind: 'producer',
  start: async (processor) => {
    const q = `conformance-${process.pid}-${Date.now()}-${run++}`;
    const raw = config(svc.artemis.port, q, 'queue', { batchSize: '4', pollTimeout: '50' });
    const src = create(jmsSource, raw, { name: 'r1', processor }) as JmsSource;
    await src.start();
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        if ((await src.process()) === 'BACKOFF' && !stopped) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    return {
      produce: (bodies) =>
        send(
          svc.artemis.port,
          q,
          'queue',
          bodies.map((body) => ({ body })),
        ),
      stop: async () => {
        stopped = true;
        await loop;
        await src.stop();
      },
    };
  },
});
