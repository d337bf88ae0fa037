import { zipSync, type AsyncTerminable, type AsyncZipOptions, type AsyncZippable, type FlateCallback, type FlateError, type Zippable } from 'fflate';

// What write-excel-file gets for `fflate` in the renderer's builds (vite.config.ts `syncZipForExcel`): fflate
// with `zip` done synchronously. fflate's asynchronous `zip` compresses files over 160 kB in workers it starts
// from blob: URLs, which the app's Content-Security-Policy (worker-src 'self') refuses, so an xlsx export of
// more than a few hundred rows failed. Zipping on the page costs a short pause for the largest exports.

export * from 'fflate';

/** fflate's `zip`, synchronous underneath; the callback still runs after the call returns, as fflate's does. */
export function zip(data: AsyncZippable, optsOrCallback: AsyncZipOptions | FlateCallback, maybeCallback?: FlateCallback): AsyncTerminable {
  const callback = typeof optsOrCallback === 'function' ? optsOrCallback : maybeCallback;
  const opts = typeof optsOrCallback === 'function' ? {} : optsOrCallback;
  let cancelled = false;
  queueMicrotask(() => {
    if (cancelled || !callback) return;
    let archive: ReturnType<typeof zipSync>;
    try {
      archive = zipSync(data as Zippable, opts);
    } catch (error) {
      callback(error as FlateError, new Uint8Array(0));
      return;
    }
    callback(null, archive as Parameters<FlateCallback>[1]);
  });
  return () => {
    cancelled = true;
  };
}
