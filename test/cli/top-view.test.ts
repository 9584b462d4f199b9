/** `flume-ts top`'s pure part: rows and rates from two /metrics snapshots (Flume's JSON), sorting, the frame. */
import { describe, expect, it } from 'vitest';
import { frameLines, rowsOf, sortRows } from '../../src/cli/top-view.js';

const prev = {
  'SOURCE.r1': { EventAcceptedCount: '100', OpenConnectionCount: '2', EventReadFail: '1', Type: 'SOURCE' },
  'CHANNEL.c1': { EventPutSuccessCount: '100', EventTakeSuccessCount: '50', ChannelSize: '50', ChannelCapacity: '200', Type: 'CHANNEL' },
  'SINK.k1': { EventDrainSuccessCount: '50', ConnectionCreatedCount: '1', ConnectionFailedCount: '0', Type: 'SINK' },
  'CHANNEL_PROCESSOR.x': { Type: 'OTHER' },
};
const cur = {
  'SOURCE.r1': { ...prev['SOURCE.r1'], EventAcceptedCount: '300' },
  'CHANNEL.c1': {
    ...prev['CHANNEL.c1'],
    EventPutSuccessCount: '300',
    EventTakeSuccessCount: '60',
    ChannelSize: '150',
    ChannelFillPercentage: '75.0',
  },
  'SINK.k1': { ...prev['SINK.k1'], EventDrainSuccessCount: '60', ConnectionFailedCount: '3' },
  'SINK.k2': { EventDrainSuccessCount: '0', Type: 'SINK' },
};

describe('top rows', () => {
  it('computes rates between two polls, fill from ChannelFillPercentage, failures and connection state', () => {
    const rows = rowsOf(cur, prev, 2);
    expect(rows.find((r) => r.name === 'r1')).toMatchObject({ inRate: 100, total: 300, failures: 1, conn: '2 open' });
    expect(rows.find((r) => r.name === 'c1')).toMatchObject({ inRate: 100, outRate: 5, fill: 75, size: 150, capacity: 200 });
    expect(rows.find((r) => r.name === 'k1')).toMatchObject({ outRate: 5, failures: 3, conn: 'failing' });
    expect(rows.find((r) => r.name === 'k2')).toMatchObject({ outRate: undefined, conn: '-' });
    expect(rows).toHaveLength(4);
  });

  it('falls back to size/capacity for the fill level (agents without ChannelFillPercentage); no rates on the first poll', () => {
    const c = rowsOf(prev, undefined, 0).find((r) => r.name === 'c1')!;
    expect(c.fill).toBe(25);
    expect(c.inRate).toBeUndefined();
  });

  it('sorts by name (sources, channels, sinks), by rate and by fill', () => {
    const rows = rowsOf(cur, prev, 2);
    expect(sortRows(rows, 'name').map((r) => r.name)).toEqual(['r1', 'c1', 'k1', 'k2']);
    expect(sortRows(rows, 'rate').map((r) => r.name)).toEqual(['r1', 'c1', 'k1', 'k2']);
    expect(sortRows(rows, 'fill')[0]!.name).toBe('c1');
  });

  it('frames the table with the state, and says when the agent is not answering', () => {
    const base = { target: 'http://h:1', intervalS: 2, sort: 'name' as const, paused: false, rows: rowsOf(cur, prev, 2), width: 200 };
    const live = frameLines({ ...base, updated: new Date('2026-12-01T01:02:03Z') });
    expect(live[0]).toBe('flume-ts top  http://h:1  every 2s  sort: name  [LIVE]  updated 01:02:03 UTC');
    expect(live.find((l) => l.startsWith('CHANNEL c1'))).toMatch(/ 100 +5\.0 \[######## {2}\] 75\.0% +150\/200 +300 +0 -$/);
    const down = frameLines({ ...base, error: 'ECONNREFUSED' });
    expect(down[0]).toContain('[AGENT DOWN]');
    expect(down[1]).toBe('agent not answering: ECONNREFUSED (still polling every 2s; rows show the last data)');
    expect(frameLines({ ...base, paused: true })[0]).toContain('[PAUSED]');
    expect(frameLines({ ...base, width: 20 })[0]).toHaveLength(20);
  });
});
