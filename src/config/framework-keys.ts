/**
 * The keys the configuration model itself reads on a component, declared once per section (Flume's
 * SourceConfiguration, SinkConfiguration, ChannelConfiguration, SinkGroupConfiguration). A component's own
 * properties never include them, and they are not reported as unknown.
 */
import type { Section } from './plan.js';

/** The selector of a source that names none (Flume's ChannelSelectorFactory default). */
export const DEFAULT_SELECTOR_TYPE = 'replicating';
/** The processor of a sink group that names none (Flume's SinkProcessorFactory default). */
export const DEFAULT_SINKPROCESSOR_TYPE = 'default';

export interface FrameworkKey {
  /** The key, or a prefix ending in `.` for a family (`selector.`). */
  readonly key: string;
  readonly doc: string;
}

export const FRAMEWORK_KEYS: Readonly<Record<Exclude<Section, 'configfilters'>, readonly FrameworkKey[]>> = {
  sources: [
    { key: 'type', doc: 'the source type: alias or class name' },
    { key: 'channels', doc: 'the channels the source writes to (whitespace-separated)' },
    { key: 'config', doc: "ignored (Flume's ComponentConfiguration key)" },
    { key: 'interceptors', doc: 'the interceptor names, applied in order' },
    { key: 'interceptors.', doc: 'interceptors.<name>.type and interceptors.<name>.* configure each interceptor' },
    { key: 'selector.', doc: "selector.type (replicating, multiplexing or a class name) and the selector's properties" },
  ],
  channels: [
    { key: 'type', doc: 'the channel type: alias or class name' },
    { key: 'config', doc: "ignored (Flume's ComponentConfiguration key)" },
  ],
  sinks: [
    { key: 'type', doc: 'the sink type: alias or class name' },
    { key: 'channel', doc: 'the one channel the sink takes from' },
    { key: 'config', doc: "ignored (Flume's ComponentConfiguration key)" },
  ],
  sinkgroups: [
    { key: 'sinks', doc: 'the sinks of the group (whitespace-separated)' },
    { key: 'processor.', doc: "processor.type (default, failover, load_balance) and the processor's properties" },
  ],
};

/** Keys of a nested part (selector, interceptor, sink processor) read by the model: only its `type`. */
export const isPartFrameworkKey = (k: string): boolean => k === 'type';

/** A predicate for parseComponent(): is `key` read by the model for this section? */
export function frameworkKeysOf(section: Exclude<Section, 'configfilters'>): (key: string) => boolean {
  const keys = FRAMEWORK_KEYS[section];
  return (k) => keys.some((f) => (f.key.endsWith('.') ? k.startsWith(f.key) : k === f.key));
}
