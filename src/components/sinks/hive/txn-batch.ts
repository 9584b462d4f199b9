// Hive streaming's TransactionBatch (hcatalog streaming HiveEndPoint.TransactionBatchImpl, the API Flume's HiveWriter
// drives): hive.txnsPerBatchAsk transactions opened at once with their table write ids, then used one after the other;
// each transaction takes the shared insert lock on the table or partition when it begins, is heartbeated with the rest
// of the batch, and ends committed or aborted. Closing the batch aborts what was not used.
import { FlumeError } from '../../../core/errors.js';
import { type EndPoint, endPointString } from './endpoint.js';
import { LockState, type MetastoreClient } from './metastore/client.js';

export type TxnState = 'INACTIVE' | 'OPEN' | 'COMMITTED' | 'ABORTED';

export class TransactionBatch {
  private index = -1;
  private state: TxnState = 'INACTIVE';

  private constructor(
    private readonly ms: MetastoreClient,
    private readonly ep: EndPoint,
    private readonly partName: string | undefined,
    readonly txnIds: bigint[],
    readonly writeIds: bigint[],
  ) {}

  /** open_txns + allocate_table_write_ids (fetchTransactionBatch). */
  static async fetch(ms: MetastoreClient, ep: EndPoint, partName: string | undefined, n: number): Promise<TransactionBatch> {
    const txnIds = await ms.openTxns(n);
    try {
      const writeIds = await ms.allocateWriteIds(ep.database, ep.table, txnIds);
      return new TransactionBatch(ms, ep, partName, txnIds, writeIds);
    } catch (err) {
      await ms.abortTxns(txnIds).catch(() => undefined);
      throw err;
    }
  }

  get currentTxnId(): bigint {
    return this.txnIds[Math.max(this.index, 0)]!;
  }

  get currentWriteId(): bigint {
    return this.writeIds[Math.max(this.index, 0)]!;
  }

  get currentState(): TxnState {
    return this.state;
  }

  remainingTransactions(): number {
    return this.index >= 0 ? this.txnIds.length - this.index - 1 : this.txnIds.length;
  }

  /** Moves to the next transaction and takes its lock (beginNextTransaction). */
  async beginNext(): Promise<void> {
    if (this.index + 1 >= this.txnIds.length) {
      throw new FlumeError('FLUME_HIVE_TXN', `No more transactions available in the transaction batch for ${endPointString(this.ep)}`);
    }
    this.index++;
    this.state = 'INACTIVE';
    const { state } = await this.ms.lock(this.currentTxnId, this.ep.database, this.ep.table, this.partName);
    if (state !== LockState.ACQUIRED) {
      throw new FlumeError(
        'FLUME_HIVE_TXN',
        `Unable to acquire lock on ${endPointString(this.ep)} (txnid:${this.currentTxnId}, lock state ${state})`,
        {
          retriable: true,
        },
      );
    }
    this.state = 'OPEN';
  }

  async commit(): Promise<void> {
    await this.ms.commitTxn(this.currentTxnId);
    this.state = 'COMMITTED';
  }

  async abort(): Promise<void> {
    const txn = this.currentTxnId;
    this.state = 'ABORTED';
    await this.ms.abortTxns([txn]);
  }

  /** Heartbeats the current and the remaining transactions; a transaction the metastore aborted is a failure. */
  async heartbeat(): Promise<void> {
    const from = this.txnIds[Math.max(this.index, 0)]!;
    const to = this.txnIds[this.txnIds.length - 1]!;
    if (this.state !== 'OPEN' && this.remainingTransactions() === 0) return;
    const r = await this.ms.heartbeat(from, to);
    if (r.aborted.length > 0 || r.nosuch.length > 0) {
      throw new FlumeError(
        'FLUME_HIVE_TXN',
        `Heart beat error. InvalidTxns: [${r.nosuch.join(', ')}]. AbortedTxns: [${r.aborted.join(', ')}] on ${endPointString(this.ep)}`,
        { retriable: true },
      );
    }
  }

  /** Aborts the open and every unused transaction (HiveWriter.abortRemainingTxns + TransactionBatch.close). */
  async close(): Promise<void> {
    const first = this.state === 'OPEN' || this.state === 'INACTIVE' ? Math.max(this.index, 0) : this.index + 1;
    const rest = this.txnIds.slice(first);
    this.index = this.txnIds.length - 1;
    this.state = 'ABORTED';
    await this.ms.abortTxns(rest);
  }
}
