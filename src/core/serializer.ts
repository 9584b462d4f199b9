import type { Event } from './event.js';

/**
 * Flume's EventSerializer, as bytes in and out: one instance per output file. The sink writes what it returns.
 */
export interface EventSerializer {
  /** Bytes to write when the file is created (a header), if any. */
  afterCreate?(): Buffer | undefined;
  /** The encoding of one event (may be buffered and returned by flush instead, e.g. Avro blocks). */
  write(event: Event): Buffer | undefined;
  /**
   * Optional: the encoding of a whole batch in one buffer, exactly the bytes that `write` would give for each event in
   * order, concatenated (a writer then makes one allocation per batch instead of one or two per event).
   */
  writeBatch?(events: readonly Event[]): Buffer | undefined;
  /**
   * Optional: the same bytes as writeBatch, as a list of buffers for one vectored write (views into the events' bodies
   * where that saves a copy). The buffers may share memory with the events: write them before the batch is committed.
   */
  writeBatchParts?(events: readonly Event[]): Buffer[];
  /** Bytes still buffered, to be written before the sink flushes the file. */
  flush?(): Buffer | undefined;
  /** Bytes to write before the file is closed. */
  beforeClose?(): Buffer | undefined;
}
