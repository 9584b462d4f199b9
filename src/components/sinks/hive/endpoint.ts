// The checks Hive's streaming API (hcatalog streaming, which Flume's HiveSink uses) makes on a table before it
// streams into it, with the same error text: HiveEndPoint.checkEndPoint (transactional) and AbstractRecordWriter
// (bucketed).
import { FlumeError } from '../../../core/errors.js';
import type { TableInfo } from './metastore/client.js';

export interface EndPoint {
  metaStoreUri: string;
  database: string;
  table: string;
  partitionVals: string[];
}

/** HiveEndPoint.toString(). */
export function endPointString(e: EndPoint): string {
  return `{metaStoreUri: '${e.metaStoreUri}', database:'${e.database}', table:'${e.table}', partitionVals:[${e.partitionVals.join(', ')}] }`;
}

/** AcidUtils.isAcidTable: TBLPROPERTIES transactional=true (any case). */
export function isAcidTable(t: TableInfo): boolean {
  const v = Object.entries(t.parameters).find(([k]) => k.toLowerCase() === 'transactional')?.[1];
  return v?.toLowerCase() === 'true';
}

/** Throws FLUME_HIVE_TABLE with Hive streaming's message when `t` cannot take streamed rows. */
export function checkStreamingTable(t: TableInfo, e: EndPoint): void {
  if (!isAcidTable(t)) {
    throw new FlumeError('FLUME_HIVE_TABLE', `Invalid table db:${e.database}, table:${e.table}: is not an Acid table`);
  }
  if (t.numBuckets <= 0) {
    throw new FlumeError('FLUME_HIVE_TABLE', `Cannot stream to table that has not been bucketed : ${endPointString(e)}`);
  }
  if (t.partitionKeys.length !== e.partitionVals.length) {
    throw new FlumeError(
      'FLUME_HIVE_TABLE',
      `Invalid partition values ${JSON.stringify(e.partitionVals)} for ${e.database}.${e.table}: the table has ` +
        `${t.partitionKeys.length} partition column(s) (${t.partitionKeys.map((k) => k.name).join(', ') || 'none'}); ` +
        'hive.partition must give one value per partition column',
    );
  }
}
