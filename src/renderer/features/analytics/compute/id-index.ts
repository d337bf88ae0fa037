// Document ids → dense integers. The cold pass looks up a customer and a store id for each of a million
// visits; a Map<string, number> first has to hash every freshly deserialised id string, which measured
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

/** An id → integer map for UUID strings (any other string works too, through a fallback Map). */
export class IdIndex {
  private capacity = 1024;
  // One slot = the four key words then the value (−1 = empty): a probe touches one place in memory, not two
  // arrays — at 100k customers the table is megabytes, and each cache miss costs more than the hashing.
  private slots = new Int32Array(this.capacity * SLOT).fill(-1);
  private used = 0;
  private readonly other = new Map<string, number>();
  // The words of the last id read (fields rather than a returned array: this runs a million times).
  private w0 = 0;
  private w1 = 0;
  private w2 = 0;
  private w3 = 0;

  /** Number of ids in the index. */
  get size(): number {
    return this.used + this.other.size;
  }

  private read(id: string): boolean {
    // Layout 8-4-4-4-12; unrolled, no loops: this runs twice per visit of the cold pass.
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
    this.w0 = ((a0 << 16) | a1) >>> 0;
    this.w1 = ((b0 << 16) | b1) >>> 0;
    this.w2 = ((c0 << 16) | c1) >>> 0;
    this.w3 = ((d0 << 16) | d1) >>> 0;
    return true;
  }

  private slot(): number {
    // Every word mixed in, then murmur3's finaliser: UUIDv7s made in one millisecond differ only in a counter
    // and a few random bits, and the table masks the LOW bits of the hash, so they must depend on all input.
    let h = Math.imul(this.w3, 0x9e3779b1) ^ Math.imul(this.w2, 0x85ebca6b) ^ Math.imul(this.w1, 0xc2b2ae35) ^ this.w0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  /** The integer of an id, or −1. */
  get(id: string): number {
    if (!this.read(id)) return this.other.get(id) ?? -1;
    const mask = this.capacity - 1;
    const slots = this.slots;
    const w0 = this.w0 | 0;
    const w1 = this.w1 | 0;
    const w2 = this.w2 | 0;
    const w3 = this.w3 | 0;
    for (let h = this.slot() & mask; ; h = (h + 1) & mask) {
      const o = h * SLOT;
      const value = slots[o + 4]!;
      if (value < 0) return -1;
      if (slots[o] === w0 && slots[o + 1] === w1 && slots[o + 2] === w2 && slots[o + 3] === w3) return value;
    }
  }

  /** Adds an id that is not in the index yet. */
  set(id: string, value: number): void {
    if (!this.read(id)) {
      this.other.set(id, value);
      return;
    }
    // Keep the words: growing re-inserts every key through the same fields.
    const w0 = this.w0;
    const w1 = this.w1;
    const w2 = this.w2;
    const w3 = this.w3;
    if (this.used + 1 > this.capacity * MAX_LOAD) this.grow();
    this.insert(w0, w1, w2, w3, value);
  }

  private insert(a: number, b: number, c: number, d: number, value: number): void {
    this.w0 = a >>> 0;
    this.w1 = b >>> 0;
    this.w2 = c >>> 0;
    this.w3 = d >>> 0;
    const mask = this.capacity - 1;
    let h = this.slot() & mask;
    while (this.slots[h * SLOT + 4]! >= 0) h = (h + 1) & mask;
    const o = h * SLOT;
    this.slots[o] = a | 0;
    this.slots[o + 1] = b | 0;
    this.slots[o + 2] = c | 0;
    this.slots[o + 3] = d | 0;
    this.slots[o + 4] = value;
    this.used++;
  }

  private grow(): void {
    const { slots, capacity } = this;
    this.capacity = capacity * 2;
    this.slots = new Int32Array(this.capacity * SLOT).fill(-1);
    this.used = 0;
    for (let i = 0; i < capacity; i++) {
      const o = i * SLOT;
      if (slots[o + 4]! >= 0) this.insert(slots[o]!, slots[o + 1]!, slots[o + 2]!, slots[o + 3]!, slots[o + 4]!);
    }
  }
}
