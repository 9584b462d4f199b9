/**
 * Thrift RPC interop with real Apache Flume 1.11: flume-ts thrift sink → Flume thrift source → Flume channel → Flume
 * thrift sink → flume-ts thrift source; compact (Flume's default), binary, TLS; and restarts mid-stream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeEvents, sameEvents } from '../../components/rpc/helpers.js';
import { collect, EVENTS, FIX, pump, putAll, restartScenario, startRig, type Rig, type Variant } from './relay.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const binary = { flume: { protocol: 'binary' }, ts: { protocol: 'binary' } };
const variants: Array<[string, Variant]> = [
  ['compact', { kind: 'thrift', inbound: { flume: {}, ts: {} }, outbound: { flume: {}, ts: {} } }],
  ['binary', { kind: 'thrift', inbound: binary, outbound: binary }],
  [
    'TLS',
    {
      kind: 'thrift',
      inbound: {
        flume: { ssl: 'true', keystore: `${FIX}/keystore.p12`, 'keystore-password': 'changeit', 'keystore-type': 'PKCS12' },
        ts: { ssl: 'true', truststore: `${FIX}/server.crt`, 'truststore-type': 'PEM' },
      },
      outbound: {
        flume: { ssl: 'true', truststore: `${FIX}/truststore.p12`, 'truststore-password': 'changeit', 'truststore-type': 'PKCS12' },
        ts: { ssl: 'true', keystore: `${FIX}/keystore.pem`, 'keystore-type': 'PEM' },
      },
    },
  ],
];

describe('thrift: flume-ts ⇄ real Flume 1.11', () => {
  for (const [label, v] of variants) {
    const n = EVENTS;
    it(`${label}: ${n} events each way, byte-identical, in order, none lost`, async () => {
      rig = await startRig(v);
      const events = makeEvents(n);
      await putAll(rig.in, events);
      const t0 = Date.now();
      const failures = await pump(rig.sink, 240_000);
      const sent = Date.now() - t0;
      const { events: got } = await collect(rig.out, n, 240_000);
      const total = Date.now() - t0;
      console.log(
        `[thrift ${label}] ${n} events: flume-ts sink → Flume in ${sent} ms, end to end ${total} ms (${Math.round((n / total) * 1000)} ev/s)`,
      );
      expect(failures).toBe(0);
      expect(sameEvents(got, events)).toBeUndefined();
      expect(rig.source.counter!.snapshot().EventAcceptedCount).toBe(String(n));
    });
  }

  it('receiving tiers restarted mid-stream: Flume (killed, file channel) and the flume-ts source; nothing lost', async () => {
    const n = Math.min(EVENTS, 30_000);
    rig = await startRig({ kind: 'thrift', inbound: { flume: {}, ts: {} }, outbound: { flume: {}, ts: {} }, fileChannel: true });
    const { events, failures, distinct, flumeLog } = await restartScenario(rig, 'thrift', n);
    expect(failures).toBeGreaterThan(0);
    expect(distinct.size).toBe(n);
    for (const e of events) expect(sameEvents([distinct.get(e.headers.seq!)!], [e])).toBeUndefined();
    expect(flumeLog).toMatch(/Unable to deliver event|Failed to send events/);
  });
});
