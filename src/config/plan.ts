/**
 * What validation produces: the agent's plan (the components Flume would run, each resolved to its spec and parsed
 * config) and the raw shape it is built from (`<agent>.<section>.<name>.<key>` grouped, with locations).
 */
import type { Location } from './diagnostics.js';
import type { AnySpec } from './spec.js';
import type { PropMap, PropValue } from './component-props.js';

export type Section = 'sources' | 'channels' | 'sinks' | 'sinkgroups' | 'configfilters';
export const SECTIONS: readonly Section[] = ['sources', 'channels', 'sinks', 'sinkgroups', 'configfilters'];
export const SECTION_LABEL: Record<Section, string> = {
  sources: 'source',
  channels: 'channel',
  sinks: 'sink',
  sinkgroups: 'sink group',
  configfilters: 'config filter',
};

/** A configured part (selector, interceptor, sink processor, component) resolved to its spec and parsed config. */
export interface PartPlan {
  name: string;
  spec: AnySpec;
  config: Record<string, unknown>;
  raw: Record<string, string>;
}

export interface SourcePlan extends PartPlan {
  channels: string[];
  selector: PartPlan;
  interceptors: PartPlan[];
}
export interface SinkPlan extends PartPlan {
  channel: string;
  /** The serializer part, when the sink's spec declares one. */
  serializer?: PartPlan;
}
export interface SinkGroupPlan {
  name: string;
  sinks: string[];
  processor: PartPlan;
}

export interface AgentPlan {
  name: string;
  channels: PartPlan[];
  sources: SourcePlan[];
  sinks: SinkPlan[];
  sinkgroups: SinkGroupPlan[];
  /** Components Flume would drop, with the reason (also present as diagnostics). */
  dropped: Array<{ kind: string; name: string; reason: string }>;
}

export interface RawComponent {
  section: Section;
  name: string;
  props: PropMap;
  /** Where the component was first mentioned. */
  at: Location;
}

export interface RawAgent {
  name: string;
  lists: Map<Section, PropValue>;
  components: Map<Section, Map<string, RawComponent>>;
}
