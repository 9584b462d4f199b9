import { defineComponent, prop } from '../../config/spec.js';
import type { Channel } from '../../core/channel.js';
import type { ChannelSelector } from '../../core/selector.js';

/** Every event to every channel of the source; `optional` channels are best-effort. */
export class ReplicatingChannelSelector implements ChannelSelector {
  readonly uniform = true;
  private readonly all: readonly Channel[];
  private readonly required: readonly Channel[];
  private readonly optional: readonly Channel[];

  constructor(channels: readonly Channel[], optionalNames: readonly string[]) {
    this.all = channels;
    this.optional = channels.filter((c) => optionalNames.includes(c.name));
    this.required = channels.filter((c) => !optionalNames.includes(c.name));
  }

  getRequiredChannels(): readonly Channel[] {
    return this.required;
  }
  getOptionalChannels(): readonly Channel[] {
    return this.optional;
  }
  getAllChannels(): readonly Channel[] {
    return this.all;
  }
}

export const replicatingSelector = defineComponent({
  kind: 'selector',
  type: 'replicating',
  fqcn: 'org.apache.flume.channel.ReplicatingChannelSelector',
  summary: "Sends every event to all of the source's channels (the default selector).",
  properties: {
    optional: prop.list({ doc: 'Channels (space-separated) written best-effort: a failure there is only logged.' }),
  },
  create: (c, ctx) => new ReplicatingChannelSelector(ctx.channels, c.optional ?? []),
});
