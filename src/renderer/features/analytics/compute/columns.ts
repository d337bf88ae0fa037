// The compact replica's per-document columns (visits, ledger lines), in blocks of BLOCK_SIZE documents:
// document `d` is at index `d & BLOCK_MASK` of block `d >>> BLOCK_BITS`. A full block is never copied or
// reallocated — the columns grow by adding blocks, and only a young last block doubles on its way to the
// block size (so that a small replica stays small). A doubling array would copy everything it holds at each
// step and allocate twice the bytes it keeps; V8 answers fresh ArrayBuffer bytes with collections, and a
// million documents' columns are tens of megabytes. Each block's columns share one ArrayBuffer.

/** Bits of a document index that address it inside its block. */
export const BLOCK_BITS = 16;
/** Documents per full block. */
export const BLOCK_SIZE = 1 << BLOCK_BITS;
/** Mask of a document's index inside its block. */
export const BLOCK_MASK = BLOCK_SIZE - 1;
const FIRST_BLOCK = 1024;

/** Carves typed arrays out of one buffer, widest first (so each is aligned). */
class Carver {
  readonly buffer: ArrayBuffer;
  private at = 0;
  constructor(
    readonly capacity: number,
    bytesPerDocument: number,
  ) {
    this.buffer = new ArrayBuffer(capacity * bytesPerDocument);
  }
  f64(): Float64Array {
    return this.take((b, at, n) => new Float64Array(b, at, n), 8);
  }
  i32(): Int32Array {
    return this.take((b, at, n) => new Int32Array(b, at, n), 4);
  }
  u8(): Uint8Array {
    return this.take((b, at, n) => new Uint8Array(b, at, n), 1);
  }
  private take<T>(make: (buffer: ArrayBuffer, at: number, n: number) => T, width: number): T {
    const array = make(this.buffer, this.at, this.capacity);
    this.at += width * this.capacity;
    return array;
  }
}

/** One block of visits. */
export class VisitBlock {
  readonly ms: Float64Array;
  readonly total: Float64Array;
  /** Local day (time.ts). */
  readonly day: Int32Array;
  readonly customer: Int32Array;
  readonly store: Int32Array;
  /** The customer's previous visit (a replica-wide index), −1 at the end of the chain. */
  readonly next: Int32Array;
  /** 1 = live (not voided, not deleted). */
  readonly live: Uint8Array;
  /** Feedback rating 1…5, 0 for none. */
  readonly rating: Uint8Array;
  /** Document ids as they came (compared, never parsed). */
  readonly ids: unknown[];

  constructor(
    readonly capacity: number,
    from?: VisitBlock,
  ) {
    const c = new Carver(capacity, 34);
    this.ms = c.f64();
    this.total = c.f64();
    this.day = c.i32();
    this.customer = c.i32();
    this.store = c.i32();
    this.next = c.i32();
    this.live = c.u8();
    this.rating = c.u8();
    this.ids = from ? from.ids : [];
    if (from) copyColumns(this, from);
  }
}

/** One block of ledger lines. */
export class EntryBlock {
  readonly ms: Float64Array;
  readonly points: Float64Array;
  readonly day: Int32Array;
  readonly customer: Int32Array;
  readonly store: Int32Array;
  /** The customer's previous line (a replica-wide index), −1 at the end of the chain. */
  readonly next: Int32Array;
  /** Index in LEDGER_KINDS. */
  readonly kind: Uint8Array;
  /** 1 = live (not deleted). */
  readonly live: Uint8Array;
  readonly ids: unknown[];
  /** The line a reversal names (null otherwise): derived expiry cancels that lot first. */
  readonly reverses: unknown[];

  constructor(
    readonly capacity: number,
    from?: EntryBlock,
  ) {
    const c = new Carver(capacity, 34);
    this.ms = c.f64();
    this.points = c.f64();
    this.day = c.i32();
    this.customer = c.i32();
    this.store = c.i32();
    this.next = c.i32();
    this.kind = c.u8();
    this.live = c.u8();
    this.ids = from ? from.ids : [];
    this.reverses = from ? from.reverses : [];
    if (from) copyColumns(this, from);
  }
}

/** Copies every typed column of `from` into the same column of the (larger) block `to`. */
function copyColumns<B extends object>(to: B, from: B): void {
  for (const key of Object.keys(from) as (keyof B)[]) {
    const column = from[key];
    if (ArrayBuffer.isView(column)) (to[key] as unknown as Float64Array).set(column as unknown as Float64Array);
  }
}

/** Columns of one kind of document, in blocks. */
export class Columns<B extends { readonly capacity: number }> {
  /** Documents held. */
  count = 0;
  readonly blocks: B[] = [];

  constructor(private readonly makeBlock: (capacity: number, from?: B) => B) {}

  /** Makes room for `n` documents in all. */
  reserve(n: number): void {
    for (;;) {
      const last = this.blocks.length - 1;
      const room = last < 0 ? 0 : last * BLOCK_SIZE + this.blocks[last]!.capacity;
      if (room >= n) return;
      if (last >= 0 && this.blocks[last]!.capacity < BLOCK_SIZE) {
        const wanted = n - last * BLOCK_SIZE;
        this.blocks[last] = this.makeBlock(Math.min(BLOCK_SIZE, Math.max(wanted, this.blocks[last]!.capacity * 2)), this.blocks[last]);
      } else this.blocks.push(this.makeBlock(Math.min(BLOCK_SIZE, Math.max(FIRST_BLOCK, n - (last + 1) * BLOCK_SIZE))));
    }
  }

  /** The block holding document `d`. */
  block(d: number): B {
    return this.blocks[d >>> BLOCK_BITS]!;
  }
}

/** The replica's visit columns, in blocks (not the pages the worker receives: input-shapes.ts VisitColumns). */
export const visitBlocks = () => new Columns<VisitBlock>((capacity, from) => new VisitBlock(capacity, from));
/** The replica's ledger columns, in blocks. */
export const entryBlocks = () => new Columns<EntryBlock>((capacity, from) => new EntryBlock(capacity, from));
