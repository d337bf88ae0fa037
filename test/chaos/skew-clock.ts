import { workerData } from 'node:worker_threads';

// F4: the terminal's device clock is off by `skewMs`. Imported first by the terminal worker, so every
// `Date.now()` and `new Date()` in the worker — business timestamps, RxDB's write times, the token
// source's expiry arithmetic — reads the skewed clock, as on a till whose clock is wrong.
const skew = Number((workerData as { skewMs?: number } | null)?.skewMs ?? 0);
if (skew !== 0) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + skew);
      // Explicit dates (parsing, arithmetic) are not the device clock: passed through unchanged.
      else super(...(args as [number, number, number, number, number, number, number]));
    }
    static override now(): number {
      return RealDate.now() + skew;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
}

export const CLOCK_SKEW_MS = skew;
