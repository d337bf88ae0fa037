// Top-k selection for the dashboard's lists: 100k customer groups are ranked on every refresh, so each list is
// a bounded heap (O(n log k)) instead of a sort. Order: score descending, then id ascending (deterministic).

/** Keeps the `k` best (score desc, id asc) of the candidates pushed. */
export class TopK {
  private readonly scores: number[] = [];
  private readonly items: number[] = [];

  constructor(
    private readonly k: number,
    private readonly idOf: (item: number) => string,
  ) {}

  /** Whether (sa, a) ranks below (sb, b). */
  private worse(sa: number, a: number, sb: number, b: number): boolean {
    return sa !== sb ? sa < sb : this.idOf(a) > this.idOf(b);
  }

  push(score: number, item: number): void {
    const { scores, items } = this;
    if (this.k <= 0) return;
    if (items.length < this.k) {
      scores.push(score);
      items.push(item);
      this.up(items.length - 1);
      return;
    }
    // The heap's top is the worst kept; most candidates lose to it on the score alone.
    if (score < scores[0]! || !this.worse(scores[0]!, items[0]!, score, item)) return;
    scores[0] = score;
    items[0] = item;
    this.down(0);
  }

  private swap(i: number, j: number): void {
    const { scores, items } = this;
    [scores[i], scores[j]] = [scores[j]!, scores[i]!];
    [items[i], items[j]] = [items[j]!, items[i]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.worse(this.scores[i]!, this.items[i]!, this.scores[p]!, this.items[p]!)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = i * 2 + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.worse(this.scores[l]!, this.items[l]!, this.scores[m]!, this.items[m]!)) m = l;
      if (r < n && this.worse(this.scores[r]!, this.items[r]!, this.scores[m]!, this.items[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  /** The kept items, best first. */
  sorted(): number[] {
    const order = this.items.map((item, i) => ({ item, score: this.scores[i]! }));
    order.sort((a, b) => (a.score !== b.score ? b.score - a.score : this.idOf(a.item) < this.idOf(b.item) ? -1 : 1));
    return order.map((o) => o.item);
  }
}
