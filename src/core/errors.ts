/**
 * One error base with a stable `code`. Messages say what happened, where, and what to do.
 */
export class FlumeError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(code: string, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Flume's ChannelException: a put/take/commit could not be done; the caller rolls back and may retry. */
export class ChannelError extends FlumeError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'FLUME_CHANNEL', message, { cause: options.cause, retriable: true });
  }
}

/** Flume's ChannelFullException. */
export class ChannelFullError extends ChannelError {
  constructor(message: string) {
    super(message, { code: 'FLUME_CHANNEL_FULL' });
  }
}

/** Misuse of a transaction (a programming error, never retriable). */
export class TransactionStateError extends FlumeError {
  constructor(message: string) {
    super('FLUME_TX_STATE', message);
  }
}

/** Flume's EventDeliveryException: a sink could not deliver; its transaction was rolled back. */
export class EventDeliveryError extends FlumeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('FLUME_DELIVERY', message, { cause: options.cause, retriable: true });
  }
}

/** A configuration problem found at start-up or reload; carries all diagnostics. */
export class ConfigError extends FlumeError {
  readonly diagnostics: readonly unknown[];
  constructor(message: string, diagnostics: readonly unknown[] = []) {
    super('FLUME_CONFIG', message);
    this.diagnostics = diagnostics;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
