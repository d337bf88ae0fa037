// Small values a terminal keeps across restarts outside its replica (failed PIN attempts, the last complete
// sync): localStorage in the app, a map in tests. Every access may throw (storage disabled or full), so
// callers treat a failure as "nothing stored".

/** What the terminal needs of a key-value store (the shape of Web Storage). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A key-value store in memory. */
export function memoryKeyValueStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}
