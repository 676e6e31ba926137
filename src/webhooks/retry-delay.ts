/** No wait between two attempts of one delivery exceeds this (one hour). */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/**
 * The wait after the n-th failed attempt (n from 1): base · 2^(n-1), capped at an hour, of which
 * a random half is taken away ("equal jitter"), so receivers that come back are not hit by every
 * sender at the same instant while the wait still doubles.
 */
export function retryDelayMs(failedAttempts: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
