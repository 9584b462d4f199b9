/**
 * Where documents that Elasticsearch rejects for good go: a file of JSON lines, one per document, appended and
 * flushed to disk (fdatasync) before the channel transaction commits, so a rejected event is never lost silently.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Event } from '../../../core/event.js';
import { FlumeError } from '../../../core/errors.js';

export interface Rejected {
  event: Event;
  /** The index the document was for ('' when the index name itself could not be made). */
  index: string;
  /** Elasticsearch's item status, or 0 when the event never became a document. */
  status: number;
  reason: string;
  /** The document's JSON text, when it was made. */
  document?: string;
}

/** One dead-letter line: time, sink, index, status, reason, document (as JSON), the event's headers and body (UTF-8). */
export function deadLetterLine(r: Rejected, sink: string, now = Date.now()): string {
  const doc = r.document ?? 'null';
  return (
    `{"time":"${new Date(now).toISOString()}","sink":${JSON.stringify(sink)},"index":${JSON.stringify(r.index)},` +
    `"status":${r.status},"reason":${JSON.stringify(r.reason)},"document":${doc},` +
    `"headers":${JSON.stringify(r.event.headers)},"body":${JSON.stringify(r.event.body.toString('utf8'))}}\n`
  );
}

export class DeadLetterFile {
  private fh?: FileHandle;

  constructor(
    readonly path: string,
    private readonly sink: string,
  ) {}

  async write(rejected: readonly Rejected[]): Promise<void> {
    try {
      this.fh ??= await open(this.path, 'a', 0o640);
      await this.fh.appendFile(rejected.map((r) => deadLetterLine(r, this.sink)).join(''));
      await this.fh.datasync();
    } catch (err) {
      await this.close();
      throw new FlumeError(
        'FLUME_ES_DEAD_LETTER',
        `Cannot write rejected documents to deadLetterFile ${this.path}: ${(err as Error).message}. ` +
          'The batch is rolled back and retried; make the file writable.',
        { cause: err, retriable: true },
      );
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }
}
