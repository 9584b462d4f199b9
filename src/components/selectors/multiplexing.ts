import { defineComponent, prop } from '../../config/spec.js';
import type { Channel } from '../../core/channel.js';
import type { Event } from '../../core/event.js';
import type { ChannelSelector } from '../../core/selector.js';
import { ConfigError } from '../../core/errors.js';

/**
 * Flume's MultiplexingChannelSelector: the value of one header picks the required channels (`mapping.<value>`), else
 * `default`; `optional.<value>` adds best-effort channels (minus those already required for that value).
 */
export class MultiplexingChannelSelector implements ChannelSelector {
  private readonly all: readonly Channel[];
  private readonly header: string;
  private readonly mapping = new Map<string, Channel[]>();
  private readonly optionalMapping = new Map<string, Channel[]>();
  private readonly defaults: Channel[];
  private readonly none: Channel[] = [];

  constructor(channels: readonly Channel[], header: string, raw: Readonly<Record<string, string>>) {
    this.all = channels;
    this.header = header;
    const byName = (names: string) =>
      names
        .split(/\s+/)
        .filter(Boolean)
        .map((n) => {
          const c = channels.find((ch) => ch.name === n);
          if (!c) throw new ConfigError(`Selector channel not found: ${n}`);
          return c;
        });
    for (const [k, v] of Object.entries(raw)) {
      if (k.startsWith('mapping.')) this.mapping.set(k.slice(8), byName(v));
    }
    for (const [k, v] of Object.entries(raw)) {
      if (k.startsWith('optional.')) {
        const value = k.slice(9);
        const req = this.mapping.get(value) ?? [];
        this.optionalMapping.set(
          value,
          byName(v).filter((c) => !req.includes(c)),
        );
      }
    }
    this.defaults = raw.default ? byName(raw.default) : [];
  }

  getRequiredChannels(event: Event): readonly Channel[] {
    const v = event.headers[this.header];
    if (v === undefined || v.trim() === '') return this.defaults;
    return this.mapping.get(v) ?? this.defaults;
  }

  getOptionalChannels(event: Event): readonly Channel[] {
    const v = event.headers[this.header];
    if (v === undefined) return this.none;
    return this.optionalMapping.get(v) ?? this.none;
  }

  getAllChannels(): readonly Channel[] {
    return this.all;
  }
}

export const multiplexingSelector = defineComponent({
  kind: 'selector',
  type: 'multiplexing',
  fqcn: 'org.apache.flume.channel.MultiplexingChannelSelector',
  summary: 'Routes each event by the value of one header.',
  properties: {
    header: prop.string({ default: 'flume.selector.header', doc: 'The header whose value selects the channels.' }),
    default: prop.list({ doc: 'Channels for events whose header is missing, blank, or has no mapping.' }),
  },
  prefixes: {
    'mapping.': 'mapping.<value> = channels required for events whose header equals <value>.',
    'optional.': 'optional.<value> = channels written best-effort for events whose header equals <value>.',
  },
  check: (_c, raw) =>
    Object.entries(raw)
      .filter(([k, v]) => k.startsWith('mapping.') && v.trim() === '')
      .map(([k]) => ({ prop: k, message: `${k} maps to no channel` })),
  create: (c, ctx) => new MultiplexingChannelSelector(ctx.channels, c.header, ctx.raw),
});
