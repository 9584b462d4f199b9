/**
 * The built-in components: an explicit list. Adding a component is one new file and one line here.
 */
import type { AnySpec } from '../config/spec.js';
import { Registry } from '../config/registry.js';
import { memoryChannel } from './channels/memory.js';
import { kafkaChannel } from './channels/kafka.js';
import { nullSink } from './sinks/null.js';
import { kafkaSink } from './sinks/kafka.js';
import { kafkaSource } from './sources/kafka.js';

export const builtinSpecs: readonly AnySpec[] = [
  // channels
  memoryChannel,
  kafkaChannel,
  // sinks
  nullSink,
  kafkaSink,
  // sources
  kafkaSource,
];

export function builtinRegistry(): Registry {
  return new Registry(builtinSpecs);
}
