/**
 * One ordered queue of timers instead of one Node timer per device: 100k cameras each with a
 * pending event and maybe a reconnect would otherwise cost 100k+ Timeout objects and heap churn.
 * A timer calls `target.onTimer(kind)`, so nothing allocates a closure per schedule.
 */
export interface TimerTarget {
  onTimer(kind: number): void;
}

export interface TimerEntry {
  time: number;
  seq: number;
  target: TimerTarget | null; // null once cancelled
  kind: number;
}

export class TimerQueue {
  private heap: TimerEntry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, target: TimerTarget, kind: number): TimerEntry {
    const entry: TimerEntry = { time, seq: this.seq++, target, kind };
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
    return entry;
  }

  /** Earliest live entry's time, or undefined. Drops cancelled entries from the top. */
  peekTime(): number | undefined {
    while (this.heap.length > 0 && this.heap[0].target === null) this.pop();
    return this.heap.length > 0 ? this.heap[0].time : undefined;
  }

  pop(): TimerEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && before(heap[r], heap[l]) ? r : l;
        if (!before(heap[child], last)) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  clear(): void {
    this.heap = [];
  }
}

// ties run in scheduling order, which keeps runs with the same seed in the same order
function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
