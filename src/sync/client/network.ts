/**
 * What the device says about its network: the browser's `navigator.onLine` and its online/offline events.
 * It is one of three signals of the sync status (with the poke stream's keep-alive deadline and failed
 * requests): "offline" is believed at once; "online" only makes the terminal reconnect and pull now — a
 * request that succeeds is what shows Online.
 */
export interface NetworkSignal {
  /** Whether the device has a network at all right now. */
  online(): boolean;
  /** Calls `listener` on every change; returns the unsubscribe. */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** The browser's (or Electron renderer's) network signal; null where there is none (Node). */
export function browserNetwork(scope: typeof globalThis = globalThis): NetworkSignal | null {
  if (typeof scope.addEventListener !== 'function' || typeof scope.navigator?.onLine !== 'boolean') return null;
  return {
    online: () => scope.navigator.onLine,
    subscribe(listener) {
      const up = () => listener(true);
      const down = () => listener(false);
      scope.addEventListener('online', up);
      scope.addEventListener('offline', down);
      return () => {
        scope.removeEventListener('online', up);
        scope.removeEventListener('offline', down);
      };
    },
  };
}
