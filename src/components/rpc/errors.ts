import { FlumeError } from '../../core/errors.js';

/** The peer sent bytes that do not follow the wire protocol (garbage, a truncated or oversized frame). */
export class RpcProtocolError extends FlumeError {
  constructor(message: string) {
    super('FLUME_RPC_PROTOCOL', message);
  }
}

/** A connection or call failed (refused, reset, timed out, closed mid-call, non-OK status). */
export class RpcError extends FlumeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('FLUME_RPC', message, { cause: options.cause, retriable: true });
  }
}
