import type { ErrorCode } from './codes.js';

export type { ErrorCode } from './codes.js';

/** A catalogued code (core/codes.ts), or another `FLUME_*` string that is yet to be catalogued. */
export type FlumeErrorCode = ErrorCode | (string & {});

/**
 * One error base with a stable `code`. Messages say what happened, where, and what to do.
 */
export class FlumeError extends Error {
  readonly code: FlumeErrorCode;
  readonly retriable: boolean;
  constructor(code: FlumeErrorCode, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Flume's ChannelException: a put/take/commit could not be done; the caller rolls back and may retry. */
export class ChannelError extends FlumeError {
  constructor(message: string, options: { cause?: unknown; code?: FlumeErrorCode } = {}) {
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

/** The part of a configuration diagnostic (config/diagnostics.ts Diagnostic) a ConfigError carries. */
export interface ConfigProblem {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  hint?: string;
}

/** A configuration problem found at start-up or reload; carries the problems found. */
export class ConfigError extends FlumeError {
  readonly diagnostics: readonly ConfigProblem[];
  constructor(message: string, diagnostics: readonly ConfigProblem[] = []) {
    super('FLUME_CONFIG', message);
    this.diagnostics = diagnostics;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
