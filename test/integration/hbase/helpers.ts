/** HBase test helpers: tables created and rows read back with HBase's own Java client (scripts/services/hbase.mjs). */
import { hbaseTool } from '../../../scripts/services/hbase.mjs';

export interface Cell {
  table: string;
  row: string;
  family: string;
  qualifier: string;
  value: Buffer;
}

/** Creates `table` (or several: comma-separated names) afresh. */
export async function createTable(
  quorum: string,
  table: string,
  families: string[],
  splits: string[] = [],
  jvm: string[] = [],
): Promise<void> {
  await hbaseTool(quorum, ['create', table, families.join(','), ...splits], jvm);
}

/**
 * Every cell of `table` (or several: comma-separated), read by HBase's Java client; row/family/qualifier as UTF-8 text.
 * `jvm`: extra JVM options (a Kerberos login: hbase-kerberos.mjs's toolJvm).
 */
export async function scan(quorum: string, table: string, jvm: string[] = []): Promise<Cell[]> {
  const out = await hbaseTool(quorum, ['scan', table], jvm);
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      const j = JSON.parse(l) as Record<string, string>;
      const s = (k: string): string => Buffer.from(j[k]!, 'base64').toString('utf8');
      return { table: j.table!, row: s('row'), family: s('family'), qualifier: s('qualifier'), value: Buffer.from(j.value!, 'base64') };
    });
}

/** An increment cell's value (8-byte big-endian long). */
export const counter = (c: Cell | undefined): bigint | undefined => (c ? c.value.readBigInt64BE() : undefined);

/** Polls `scan` until `done(cells)`; returns the last scan. */
export async function scanUntil(
  quorum: string,
  table: string,
  done: (c: Cell[]) => boolean,
  ms: number,
  jvm: string[] = [],
): Promise<Cell[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const cells = await scan(quorum, table, jvm);
    if (done(cells) || Date.now() > deadline) return cells;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
