import { defineComponent, prop } from '../../config/spec.js';
import type { Channel } from '../../core/channel.js';
import type { ChannelSelector } from '../../core/selector.js';

export type LoadBalancingPolicy = 'round_robin' | 'random';

/**
 * Flume's LoadBalancingChannelSelector: each event gets exactly one required channel, picked from all of the
 * source's channels by the policy (round_robin: in the order of the source's `channels` list, one step per event;
 * random: uniformly). No optional channels.
 */
export class LoadBalancingChannelSelector implements ChannelSelector {
  private readonly all: readonly Channel[];
  /** One single-element list per channel, so that routing allocates nothing per event. */
  private readonly singles: ReadonlyArray<readonly Channel[]>;
  private readonly none: readonly Channel[] = [];
  private next = 0;
  private readonly pick: () => number;

  constructor(channels: readonly Channel[], policy: LoadBalancingPolicy, random: () => number = Math.random) {
    this.all = channels;
    this.singles = channels.map((c) => [c]);
    this.pick =
      policy === 'random'
        ? () => Math.floor(random() * this.singles.length)
        : () => {
            const i = this.next;
            this.next = i + 1 < this.singles.length ? i + 1 : 0;
            return i;
          };
  }

  getRequiredChannels(): readonly Channel[] {
    return this.singles.length === 0 ? this.none : this.singles[this.pick()]!;
  }

  getOptionalChannels(): readonly Channel[] {
    return this.none;
  }

  getAllChannels(): readonly Channel[] {
    return this.all;
  }
}

export const loadBalancingSelector = defineComponent({
  kind: 'selector',
  type: 'load_balancing',
  fqcn: 'org.apache.flume.channel.LoadBalancingChannelSelector',
  summary: "Sends each event to exactly one of the source's channels, chosen round-robin or at random.",
  notes:
    "As Flume 1.11's LoadBalancingChannelSelector: one required channel per event, no optional channels; round_robin " +
    "steps through the source's `channels` list in its order, one step per event (batches are spread too). " +
    "random uses Math.random (Flume seeds java.util.Random with the start time), so the sequence differs from Flume's. " +
    'Flume 1.11 itself cannot run it from a config file: its validation (ChannelSelectorConfigurationType) has no ' +
    'LOAD_BALANCING entry, so the source is dropped with "No enum constant"; flume-ts runs the selector and warns.',
  properties: {
    policy: prop.enum(['round_robin', 'random'], {
      default: 'round_robin',
      doc: 'How a channel is picked for each event: round_robin or random (case-insensitive; anything else fails the source).',
    }),
  },
  check: () => [
    {
      severity: 'warning',
      message:
        'Flume 1.11 drops a source with this selector: its config validation has no LOAD_BALANCING selector ' +
        'configuration ("No enum constant ...ChannelSelectorConfigurationType.LOAD_BALANCING"); flume-ts runs it',
      hint: 'this config is not portable back to Flume 1.11',
    },
  ],
  create: (c, ctx) => new LoadBalancingChannelSelector(ctx.channels, c.policy),
});
