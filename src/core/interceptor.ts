import type { Event } from './event.js';

/** Flume's Interceptor: may change events, or drop one by leaving it out of the result. */
export interface Interceptor {
  intercept(events: Event[]): Event[];
}
