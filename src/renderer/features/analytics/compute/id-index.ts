// Document ids → dense integers. The cold pass looks up a customer id for each of a million visits (and
// ledger lines); a Map<string, number> first has to hash every freshly deserialised id string, which measured
// ~450 ns per lookup here (4× a plain scan of the visit). Ids are lower-case UUIDs (IdSchema), so this table
// reads the 32 hex digits into four 32-bit words and probes an open-addressing table of typed arrays instead.
// Anything that is not a canonical UUID goes to an ordinary Map, so the index is total.

const HEX = new Int8Array(128).fill(-1);
const SLOT = 5;
/** Most slots in use before the table doubles. */
const MAX_LOAD = 0.7;
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** Four hex digits of `s` at `i` as a number; negative when any is not a lower-case hex digit. */
function hex4(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  const d = s.charCodeAt(i + 3);
  // Codes ≥ 128 index past the table (undefined → NaN → 0 after |): make them invalid explicitly.
  if ((a | b | c | d) >= 128) return -1;
  // A −1 digit shifted left sets the high bits, so the OR is negative when any digit is invalid.
  return (HEX[a]! << 12) | (HEX[b]! << 8) | (HEX[c]! << 4) | HEX[d]!;
}

/**
 * Reads a canonical (lower-case) UUID into four words at `keys[4 × at]`; false, writing nothing, for any
 * other string (IdIndex `get` and `set` take those).
 */
export function uuidKey(id: string, keys: Int32Array, at: number): boolean {
  // Layout 8-4-4-4-12; unrolled, no loops: this runs once or twice per document of the cold pass.
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
  const a0 = hex4(id, 0);
  const a1 = hex4(id, 4);
  const b0 = hex4(id, 9);
  const b1 = hex4(id, 14);
  const c0 = hex4(id, 19);
  const c1 = hex4(id, 24);
  const d0 = hex4(id, 28);
  const d1 = hex4(id, 32);
  if ((a0 | a1 | b0 | b1 | c0 | c1 | d0 | d1) < 0) return false;
  const o = at * 4;
  keys[o] = (a0 << 16) | a1;
  keys[o + 1] = (b0 << 16) | b1;
  keys[o + 2] = (c0 << 16) | c1;
  keys[o + 3] = (d0 << 16) | d1;
  return true;
}

/**
 * An id → integer map for UUID strings (any other string works too, through a fallback Map).
 *
 * Besides `get`, a lookup can be split in two — `uuidKey` (parse an id into a keys array) and `find` (probe
 * the table) — so a batch of documents is parsed in one pass and probed in another: in the second, the table's
 * cache misses (at 100k customers it is megabytes) overlap, instead of each waiting behind the next document's
 * parsing.
 */
export class IdIndex {
  private capacity = 1024;
  // One slot = the four key words then the value (−1 = empty): a probe touches one place in memory, not two
  // arrays — at 100k customers the table is megabytes, and each cache miss costs more than the hashing.
  private slots = new Int32Array(this.capacity * SLOT).fill(-1);
  private used = 0;
  private readonly other = new Map<string, number>();
  /** Scratch keys for `get` and `set`: int32 words do not all fit V8's small integers, and boxing allocates. */
  private readonly words = new Int32Array(4);
  /** What `prefetch` loaded (never read). */
  private touched = 0;

  /** Number of ids in the index. */
  get size(): number {
    return this.used + this.other.size;
  }

  /** The first slot to probe for the four words at `keys[o]`, in [0, capacity). */
  private home(keys: Int32Array, o: number): number {
    // Every word mixed in, then murmur3's finaliser: UUIDv7s made in one millisecond differ only in a counter
    // and a few random bits, and the table masks the LOW bits of the hash, so they must depend on all input.
    let h = Math.imul(keys[o + 3]!, 0x9e3779b1) ^ Math.imul(keys[o + 2]!, 0x85ebca6b) ^ Math.imul(keys[o + 1]!, 0xc2b2ae35) ^ keys[o]!;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & (this.capacity - 1);
  }

  /** The integer of the key `uuidKey` wrote at `keys[4 × at]`, or −1. */
  find(keys: Int32Array, at: number): number {
    return this.findFrom(keys, at, this.home(keys, at * 4));
  }

  /**
   * For a batch: the home slot of each of `n` keys into `homes`, and a load of each (`findFrom` then hits
   * the cache). JavaScript has no prefetch instruction, but a loop of independent loads is one: its cache
   * misses overlap, where probes interleaved with other work wait for them one at a time.
   */
  prefetch(keys: Int32Array, n: number, homes: Int32Array): void {
    const slots = this.slots;
    let touched = 0;
    for (let j = 0; j < n; j++) {
      const h = this.home(keys, j * 4);
      homes[j] = h;
      touched += slots[h * SLOT + 4]!;
    }
    // Kept, so that the compiler cannot drop the loads as unused.
    this.touched = touched;
  }

  /** `find` from a home slot `prefetch` gave. */
  findFrom(keys: Int32Array, at: number, home: number): number {
    const o = at * 4;
    const w0 = keys[o]!;
    const w1 = keys[o + 1]!;
    const w2 = keys[o + 2]!;
    const w3 = keys[o + 3]!;
    const mask = this.capacity - 1;
    const slots = this.slots;
    for (let h = home; ; h = (h + 1) & mask) {
      const s = h * SLOT;
      const value = slots[s + 4]!;
      if (value < 0) return -1;
      if (slots[s] === w0 && slots[s + 1] === w1 && slots[s + 2] === w2 && slots[s + 3] === w3) return value;
    }
  }

  /** The integer of an id, or −1. */
  get(id: string): number {
    return uuidKey(id, this.words, 0) ? this.find(this.words, 0) : (this.other.get(id) ?? -1);
  }

  /** Adds an id that is not in the index yet. */
  set(id: string, value: number): void {
    if (uuidKey(id, this.words, 0)) this.insert(this.words, 0, value);
    else this.other.set(id, value);
  }

  /** Grows the table, if need be, so that `extra` more ids fit without growing it. */
  reserve(extra: number): void {
    while (this.used + extra > this.capacity * MAX_LOAD) this.grow();
  }

  /** Adds the key `uuidKey` wrote at `keys[4 × at]` (not in the index yet). */
  insert(keys: Int32Array, at: number, value: number): void {
    if (this.used + 1 > this.capacity * MAX_LOAD) this.grow();
    this.place(keys, at * 4, value);
  }

  /** Puts the four words at `keys[o]` in their slot. */
  private place(keys: Int32Array, o: number, value: number): void {
    const mask = this.capacity - 1;
    const slots = this.slots;
    let h = this.home(keys, o);
    while (slots[h * SLOT + 4]! >= 0) h = (h + 1) & mask;
    const s = h * SLOT;
    slots[s] = keys[o]!;
    slots[s + 1] = keys[o + 1]!;
    slots[s + 2] = keys[o + 2]!;
    slots[s + 3] = keys[o + 3]!;
    slots[s + 4] = value;
    this.used++;
  }

  /** Doubles the table, re-inserting every key (a slot starts with its key's four words). */
  private grow(): void {
    const { slots, capacity } = this;
    this.capacity = capacity * 2;
    this.slots = new Int32Array(this.capacity * SLOT).fill(-1);
    this.used = 0;
    for (let i = 0; i < capacity; i++) {
      const value = slots[i * SLOT + 4]!;
      if (value >= 0) this.place(slots, i * SLOT, value);
    }
  }
}

/**
 * Ids of a batch of documents to look up together: parsed in the pass over the documents (`take`), then
 * their home slots loaded in a pass of their own (`prefetch`: the cache misses overlap), then found.
 */
export class KeyBatch {
  /** Ids taken. */
  size = 0;
  private keys = new Int32Array(0);
  private keyed = new Uint8Array(0);
  private homes = new Int32Array(0);
  /** The document each id came from (its position in the batch's documents). */
  doc = new Int32Array(0);

  /** Empties the batch, with room for `n` ids. */
  reset(n: number): void {
    this.size = 0;
    if (n <= this.keyed.length) return;
    const size = Math.max(n, 1024);
    this.keys = new Int32Array(size * 4);
    this.keyed = new Uint8Array(size);
    this.homes = new Int32Array(size);
    this.doc = new Int32Array(size);
  }

  /** Takes the id of document `doc` (its key, when it is a UUID; the others are looked up by string). */
  take(id: string, doc: number): void {
    const j = this.size++;
    this.keyed[j] = uuidKey(id, this.keys, j) ? 1 : 0;
    this.doc[j] = doc;
  }

  /**
   * Makes room in `index` for `room` more ids (every id of the batch, by default), so that its slots stay
   * where this finds them while the batch adds ids, and loads their home slots.
   */
  prefetch(index: IdIndex, room = this.size): void {
    index.reserve(room);
    index.prefetch(this.keys, this.size, this.homes);
  }

  /** The `j`-th id's integer in `index`, or −1 (`idOf(j)` is asked only for ids that are not UUIDs). */
  find(index: IdIndex, j: number, idOf: (j: number) => string): number {
    return this.keyed[j] ? index.findFrom(this.keys, j, this.homes[j]!) : index.get(idOf(j));
  }

  /** Adds the `j`-th id to `index` (it was not there). */
  insert(index: IdIndex, j: number, id: string, value: number): void {
    if (this.keyed[j]) index.insert(this.keys, j, value);
    else index.set(id, value);
  }
}
