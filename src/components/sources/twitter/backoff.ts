/**
 * Reconnection delays as the X (Twitter) API v2 streaming guide asks: network errors back off linearly (250 ms more
 * per attempt, at most 16 s); HTTP errors exponentially from 5 s (doubling, at most 320 s); HTTP 429 exponentially from
 * 60 s, or until the `x-rate-limit-reset` time when the reply carries one. A connection that was accepted resets all.
 */
export type FailureKind = 'network' | 'http' | 'rate-limit';

export const NETWORK_STEP_MS = 250;
export const NETWORK_MAX_MS = 16_000;
export const HTTP_FIRST_MS = 5_000;
export const HTTP_MAX_MS = 320_000;
export const RATE_LIMIT_FIRST_MS = 60_000;
export const RATE_LIMIT_MAX_MS = 960_000;

export class ReconnectBackoff {
  private network = 0;
  private http = 0;
  private rateLimit = 0;

  /** The wait before the next attempt after a failure of `kind`. `resetAtMs`: when a 429's rate-limit window ends. */
  next(kind: FailureKind, now = Date.now(), resetAtMs?: number): number {
    switch (kind) {
      case 'network':
        this.network++;
        return Math.min(this.network * NETWORK_STEP_MS, NETWORK_MAX_MS);
      case 'http':
        return Math.min(HTTP_FIRST_MS * 2 ** this.http++, HTTP_MAX_MS);
      case 'rate-limit': {
        const exp = Math.min(RATE_LIMIT_FIRST_MS * 2 ** this.rateLimit++, RATE_LIMIT_MAX_MS);
        if (resetAtMs === undefined || !Number.isFinite(resetAtMs)) return exp;
        // the window's end (at least 1 s away, at most the exponential cap)
        return Math.min(Math.max(resetAtMs - now, 1_000), RATE_LIMIT_MAX_MS);
      }
    }
  }

  /** After a successful connection. */
  reset(): void {
    this.network = 0;
    this.http = 0;
    this.rateLimit = 0;
  }
}

/** `x-rate-limit-reset` (epoch seconds) → epoch ms, or undefined. */
export function rateLimitReset(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || !/^\d{1,12}$/.test(v.trim())) return undefined;
  return Number(v.trim()) * 1000;
}
