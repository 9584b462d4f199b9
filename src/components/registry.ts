/**
 * The built-in components: an explicit list. Adding a component is one new file and one line here.
 */
import type { AnySpec } from '../config/spec.js';
import { Registry } from '../config/registry.js';
import { memoryChannel } from './channels/memory.js';
import { nullSink } from './sinks/null.js';
import { netcatSource } from './sources/netcat.js';
import { netcatUdpSource } from './sources/netcatudp.js';
import { seqSource } from './sources/seq.js';
import { replicatingSelector } from '../core/selectors/replicating.js';
import { multiplexingSelector } from '../core/selectors/multiplexing.js';
import { defaultSinkProcessor } from '../core/sinkprocessors/default.js';
import { failoverSinkProcessor } from '../core/sinkprocessors/failover.js';
import { loadBalanceSinkProcessor } from '../core/sinkprocessors/load_balance.js';

export const builtinSpecs: readonly AnySpec[] = [
  // sources
  netcatSource,
  netcatUdpSource,
  seqSource,
  // channels
  memoryChannel,
  // sinks
  nullSink,
  // channel selectors
  replicatingSelector,
  multiplexingSelector,
  // sink processors
  defaultSinkProcessor,
  failoverSinkProcessor,
  loadBalanceSinkProcessor,
];

export function builtinRegistry(): Registry {
  return new Registry(builtinSpecs);
}
