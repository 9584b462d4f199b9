import type { Channel } from './channel.js';
import type { Event } from './event.js';

/** Flume's ChannelSelector. */
export interface ChannelSelector {
  getRequiredChannels(event: Event): readonly Channel[];
  getOptionalChannels(event: Event): readonly Channel[];
  getAllChannels(): readonly Channel[];
  /** True when every event goes to the same channels (lets the processor skip per-event routing). */
  readonly uniform?: boolean;
}
