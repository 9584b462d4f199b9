/**
 * The API for flume-ts plugins: components written in TypeScript/JavaScript and loaded with
 * `type = <module path or package name>` (docs/plugins.md). A plugin module's default export is a component spec made
 * with `defineComponent`, an array of them, or a function that receives this API and returns either.
 *
 *   import { defineComponent, prop } from 'flume-ts/plugin';
 */
export { defineComponent, prop } from './config/spec.js';
export type {
  AnySpec,
  BaseContext,
  ComponentKind,
  ComponentSpec,
  ConfigOf,
  SelectorContext,
  SinkContext,
  SinkProcessorContext,
  SourceContext,
  SpecProblem,
} from './config/spec.js';
export { createEvent, type Event } from './core/event.js';
export { AbstractChannel, BasicTransaction, withTransaction, type Channel, type Transaction } from './core/channel.js';
export { BatchingSink } from './core/abstract-sink.js';
export type { Sink } from './core/sink.js';
export type { Source, EventDrivenSource, PollableSource, ChannelProcessor } from './core/source.js';
export type { Interceptor } from './core/interceptor.js';
export type { Status } from './core/lifecycle.js';
export type { Logger } from './core/logging.js';
export { ChannelError, ChannelFullError, EventDeliveryError, FlumeError, errorMessage } from './core/errors.js';
