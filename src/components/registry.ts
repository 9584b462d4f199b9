/**
 * The built-in components: an explicit list. Adding a component is one new file and one line here.
 */
import type { AnySpec } from '../config/spec.js';
import { Registry } from '../config/registry.js';
import { memoryChannel } from './channels/memory.js';
import { fileChannel } from './channels/file/index.js';
import { nullSink } from './sinks/null.js';

export const builtinSpecs: readonly AnySpec[] = [
  // channels
  memoryChannel,
  fileChannel,
  // sinks
  nullSink,
];

export function builtinRegistry(): Registry {
  return new Registry(builtinSpecs);
}
