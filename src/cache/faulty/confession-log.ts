import type { WrongValue } from '../cache-adapter.ts';

/** Collects the wrong values a faulty adapter handed out; bounded so a long run cannot explode. */
export class ConfessionLog {
  readonly entries: WrongValue[] = [];
  dropped = 0;
  private readonly limit: number;
  constructor(limit = 1_000_000) {
    this.limit = limit;
  }
  record(entry: WrongValue): void {
    if (this.entries.length < this.limit) this.entries.push(entry);
    else this.dropped++;
  }
}
