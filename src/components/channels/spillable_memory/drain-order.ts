import { FlumeError } from '../../../core/errors.js';

/**
 * Flume's SpillableMemoryChannel.DrainOrderQueue: the order in which committed events must be taken, as runs of
 * counts. A positive run is that many events at the head of the memory queue, a negative run that many at the head of
 * the overflow (file) channel. A run is never 0. There are few runs (they alternate only when the channel switches
 * between memory and overflow), so a plain array serves.
 */
export class DrainOrder {
  private readonly runs: number[] = [];
  /** Events in the overflow according to the runs (Flume's overflowCounter). */
  overflowCount = 0;

  get isEmpty(): boolean {
    return this.runs.length === 0;
  }

  /** The head run: > 0 memory, < 0 overflow, 0 when there is nothing to take. */
  front(): number {
    return this.runs[0] ?? 0;
  }

  putPrimary(n: number): void {
    this.append(n);
  }

  putOverflow(n: number): void {
    this.append(-n);
    this.overflowCount += n;
  }

  /** Rolled-back memory takes go back at the head. */
  putFirstPrimary(n: number): void {
    this.prepend(n);
  }

  /** Rolled-back overflow takes go back at the head. */
  putFirstOverflow(n: number): void {
    this.prepend(-n);
    this.overflowCount += n;
  }

  takePrimary(n: number): void {
    this.consume(n);
  }

  takeOverflow(n: number): void {
    this.consume(-n);
    this.overflowCount -= n;
  }

  /** The runs, head first (for logs and tests). */
  dump(): number[] {
    return [...this.runs];
  }

  private append(signed: number): void {
    if (signed === 0) return;
    const i = this.runs.length - 1;
    if (i >= 0 && Math.sign(this.runs[i]!) === Math.sign(signed)) this.runs[i]! += signed;
    else this.runs.push(signed);
  }

  private prepend(signed: number): void {
    if (signed === 0) return;
    if (this.runs.length > 0 && Math.sign(this.runs[0]!) === Math.sign(signed)) this.runs[0]! += signed;
    else this.runs.unshift(signed);
  }

  private consume(signed: number): void {
    if (signed === 0) return;
    const head = this.runs[0];
    if (head === undefined || Math.sign(head) !== Math.sign(signed) || Math.abs(head) < Math.abs(signed)) {
      throw new FlumeError('FLUME_SPILLABLE_DRAIN_ORDER', `Cannot take ${Math.abs(signed)} from ${head ?? 0} in the drain order queue`);
    }
    if (head === signed) this.runs.shift();
    else this.runs[0] = head - signed;
  }
}
