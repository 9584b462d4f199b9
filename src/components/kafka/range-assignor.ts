/**
 * Java's RangeAssignor (org.apache.kafka.clients.consumer.RangeAssignor), the Java consumer's default, as a kafkajs
 * partition assigner with the same protocol name ("range") and wire format (ConsumerProtocol v0 subscription and
 * assignment, which Java reads; Java's newer versions only append fields kafkajs ignores). So flume-ts and Java Flume
 * agents can share one consumer group — e.g. while migrating agent by agent — and either may lead the group.
 *
 * Per topic, the members subscribed to it are sorted by member id; with n partitions and c members, member i gets
 * partitions [i·⌊n/c⌋ + min(i, n mod c), …) of length ⌊n/c⌋ + (i < n mod c ? 1 : 0).
 */
import type { PartitionAssigner } from 'kafkajs';
import { kafkajs } from '../shared/lazy.js';

export interface RangeMember {
  memberId: string;
  topics: readonly string[];
}

/** The assignment itself (pure): memberId → topic → partitions. Every member appears, possibly with nothing. */
export function rangeAssign(
  members: readonly RangeMember[],
  partitionsOf: (topic: string) => number,
): Map<string, Record<string, number[]>> {
  const out = new Map<string, Record<string, number[]>>();
  for (const m of members) out.set(m.memberId, {});
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const consumers = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort();
    const n = partitionsOf(topic);
    if (consumers.length === 0 || n <= 0) continue;
    const per = Math.floor(n / consumers.length);
    const extra = n % consumers.length;
    consumers.forEach((id, i) => {
      const start = per * i + Math.min(i, extra);
      const len = per + (i < extra ? 1 : 0);
      if (len > 0) out.get(id)![topic] = Array.from({ length: len }, (_, k) => start + k);
    });
  }
  return out;
}

export const RangeAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'range',
  version: 0,
  async assign({ members }) {
    const subs: RangeMember[] = members.map((m) => ({
      memberId: m.memberId,
      topics: kafkajs().AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? [],
    }));
    const result = rangeAssign(subs, (topic) => cluster.findTopicPartitionMetadata(topic).length);
    return [...result].map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: kafkajs().AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'range', metadata: kafkajs().AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
