import type { Channel } from './channel.js';
import type { Event } from './event.js';

/** Flume's ChannelSelector. */
export interface ChannelSelector {
  getRequiredChannels(event: Event): readonly Channel[];
  getOptionalChannels(event: Event): readonly Channel[];
  getAllChannels(): readonly Channel[];
}
