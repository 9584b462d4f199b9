import { describe, expect, it } from 'vitest';
import { AssignerProtocol } from 'kafkajs';
import { RangeAssigner, rangeAssign } from '../../../src/components/kafka/range-assignor.js';

const obj = (m: Map<string, Record<string, number[]>>) => Object.fromEntries(m);

describe("range assignor (Java's RangeAssignor)", () => {
  it('gives each member a contiguous range per topic, the first members one extra', () => {
    expect(
      obj(
        rangeAssign(
          [
            { memberId: 'b', topics: ['t'] },
            { memberId: 'a', topics: ['t'] },
          ],
          () => 3,
        ),
      ),
    ).toEqual({ a: { t: [0, 1] }, b: { t: [2] } });
    const seven = rangeAssign(
      ['m1', 'm2', 'm3'].map((memberId) => ({ memberId, topics: ['t'] })),
      () => 7,
    );
    expect(obj(seven)).toEqual({ m1: { t: [0, 1, 2] }, m2: { t: [3, 4] }, m3: { t: [5, 6] } });
  });

  it('assigns per topic among its subscribers only, and lists members that get nothing', () => {
    const r = rangeAssign(
      [
        { memberId: 'a', topics: ['x', 'y'] },
        { memberId: 'b', topics: ['y'] },
        { memberId: 'c', topics: ['y'] },
      ],
      (t) => (t === 'x' ? 2 : 2),
    );
    expect(obj(r)).toEqual({ a: { x: [0, 1], y: [0] }, b: { y: [1] }, c: {} });
  });

  it('speaks the consumer protocol: name "range", v0 subscription and assignment', async () => {
    const cluster = { findTopicPartitionMetadata: () => [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }] };
    const a = RangeAssigner({ cluster, groupId: 'g', logger: {} } as never);
    const proto = a.protocol({ topics: ['t'] });
    expect(proto.name).toBe('range');
    // Java's ConsumerProtocol v0 subscription: int16 version, array<string> topics, bytes user_data
    expect(Buffer.from(proto.metadata).toString('hex')).toBe('0000' + '00000001' + '0001' + '74' + '00000000');
    // a Java v1 subscription (owned partitions appended) decodes to its topics
    const javaV1 = Buffer.from('0001' + '00000001' + '0001' + '74' + 'ffffffff' + '00000000', 'hex');
    const out = await a.assign({
      members: [
        { memberId: 'java', memberMetadata: javaV1 },
        { memberId: 'ts', memberMetadata: proto.metadata },
      ],
      topics: ['t'],
    });
    const byId = Object.fromEntries(out.map((o) => [o.memberId, AssignerProtocol.MemberAssignment.decode(o.memberAssignment)!.assignment]));
    expect(byId).toEqual({ java: { t: [0, 1] }, ts: { t: [2] } });
  });
});
