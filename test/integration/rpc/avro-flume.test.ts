/**
 * Avro RPC interop with real Apache Flume 1.11 (npm run flume): flume-ts avro sink → Flume avro source → Flume
 * channel → Flume avro sink → flume-ts avro source. Headers and binary bodies must come out byte-identical, none
 * lost; plain, deflate and TLS; and with a restart of each receiving tier mid-stream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeEvents, sameEvents } from '../../components/rpc/helpers.js';
import { collect, EVENTS, FIX, pump, putAll, restartScenario, startRig, type Rig, type Variant } from './relay.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const tlsIn = {
  flume: { ssl: 'true', keystore: `${FIX}/keystore.p12`, 'keystore-password': 'changeit', 'keystore-type': 'PKCS12' },
  ts: { ssl: 'true', truststore: `${FIX}/truststore.p12`, 'truststore-password': 'changeit', 'truststore-type': 'PKCS12' },
};
const tlsOut = {
  flume: { ssl: 'true', truststore: `${FIX}/truststore.p12`, 'truststore-password': 'changeit', 'truststore-type': 'PKCS12' },
  ts: { ssl: 'true', keystore: `${FIX}/keystore.p12`, 'keystore-password': 'changeit', 'keystore-type': 'PKCS12' },
};
const deflate = { flume: { 'compression-type': 'deflate' }, ts: { 'compression-type': 'deflate' } };

const variants: Array<[string, Variant]> = [
  ['plain', { kind: 'avro', inbound: { flume: {}, ts: {} }, outbound: { flume: {}, ts: {} } }],
  [
    'deflate',
    { kind: 'avro', inbound: deflate, outbound: { flume: { 'compression-type': 'deflate', 'compression-level': '9' }, ts: deflate.ts } },
  ],
  ['TLS', { kind: 'avro', inbound: tlsIn, outbound: tlsOut }],
  [
    'TLS + deflate',
    {
      kind: 'avro',
      inbound: { flume: { ...tlsIn.flume, ...deflate.flume }, ts: { ...tlsIn.ts, ...deflate.ts } },
      outbound: { flume: { ...tlsOut.flume, ...deflate.flume }, ts: { ...tlsOut.ts, ...deflate.ts } },
    },
  ],
];

describe('avro: flume-ts ⇄ real Flume 1.11', () => {
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
        `[avro ${label}] ${n} events: flume-ts sink → Flume in ${sent} ms, end to end ${total} ms (${Math.round((n / total) * 1000)} ev/s)`,
      );
      expect(failures).toBe(0);
      expect(sameEvents(got, events)).toBeUndefined();
      const sc = rig.source.counter!.snapshot();
      expect(Number(sc.AppendBatchAcceptedCount)).toBeGreaterThan(0);
      expect(sc.EventAcceptedCount).toBe(String(n));
    });
  }

  it('receiving tiers restarted mid-stream: Flume (killed, file channel) and the flume-ts source; nothing lost', async () => {
    const n = Math.min(EVENTS, 30_000);
    rig = await startRig({ kind: 'avro', inbound: { flume: {}, ts: {} }, outbound: { flume: {}, ts: {} }, fileChannel: true });
    const { events, failures, distinct, flumeLog } = await restartScenario(rig, 'avro', n);
    expect(failures).toBeGreaterThan(0);
    expect(distinct.size).toBe(n);
    // Flume's avro sink saw the flume-ts source go away, rolled back and retried
    expect(flumeLog).toMatch(/Unable to deliver event|Failed to send events/);
    for (const e of events) {
      const d = distinct.get(e.headers.seq!)!;
      expect(sameEvents([d], [e])).toBeUndefined();
    }
  });
});
