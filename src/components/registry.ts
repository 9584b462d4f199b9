/**
 * The built-in components: an explicit list. Adding a component is one new file and one line here.
 */
import type { AnySpec } from '../config/spec.js';
import { Registry } from '../config/registry.js';
import { memoryChannel } from './channels/memory.js';
import { nullSink } from './sinks/null.js';
import { avroSource } from './sources/avro.js';
import { avroSink } from './sinks/avro.js';
import { thriftSource } from './sources/thrift.js';
import { thriftSink } from './sinks/thrift.js';

export const builtinSpecs: readonly AnySpec[] = [
  // channels
  memoryChannel,
  // sinks
  nullSink,
  // rpc (avro)
  avroSource,
  avroSink,
  // rpc (thrift)
  thriftSource,
  thriftSink,
];

export function builtinRegistry(): Registry {
  return new Registry(builtinSpecs);
}
