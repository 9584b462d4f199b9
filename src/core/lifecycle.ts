export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What a sink's or pollable source's process() returns, as in Flume. */
export type Status = 'READY' | 'BACKOFF';
