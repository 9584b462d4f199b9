/**
 * A stand-in for ChannelProcessor.pace: closed, every call returns one promise that resolves when the gate opens (the
 * channels asking the source to wait for their sinks); open, calls return undefined (read on). Counts the calls.
 */
export class PaceGate {
  calls = 0;
  private wait: Promise<void> | undefined;
  private release: (() => void) | undefined;

  close(): this {
    this.wait = new Promise((r) => (this.release = r));
    return this;
  }

  open(): void {
    this.release?.();
    this.wait = this.release = undefined;
  }

  readonly pace = (): Promise<void> | undefined => {
    this.calls++;
    return this.wait;
  };
}
