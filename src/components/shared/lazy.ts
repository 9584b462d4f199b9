/**
 * Protocol clients and codecs load on first use, not when the registry is imported: an agent that runs no Kafka
 * component never pays for kafkajs (about 14 MiB of heap), avsc or snappyjs.
 */
import { createRequire } from 'node:module';
import { installKafkajsFastPaths } from '../kafka/kafkajs-fast.js';
import { installFastProduce } from '../kafka/produce-fast.js';

const require = createRequire(import.meta.url);

/** A getter that requires the (CommonJS) package `name` the first time it is called, then returns the same module. */
export function lazyModule<T>(name: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(name) as T);
}

const kafkajsModule = lazyModule<typeof import('kafkajs')>('kafkajs');
let fastProduce: boolean | undefined;
/**
 * kafkajs, with the faster record encoding, partition grouping and CRC32C of ../kafka/kafkajs-fast.ts and the one-pass
 * Produce request of ../kafka/produce-fast.ts installed first.
 */
export const kafkajs = (): typeof import('kafkajs') => {
  if (installKafkajsFastPaths()) fastProduce ??= installFastProduce();
  return kafkajsModule();
};
export const avsc = lazyModule<typeof import('avsc')>('avsc');
export const snappyjs = lazyModule<typeof import('snappyjs')>('snappyjs');
export const rhea = lazyModule<typeof import('rhea')>('rhea');
