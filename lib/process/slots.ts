/**
 * Bounds how many terraform processes run at once: each holds a provider plugin in memory and waits
 * on the network, so a few at a time are faster than one, and hundreds at once only queue.
 */

/** How many terraform processes run at once unless `--parallel` says otherwise: see docs/reports.md, "Plans at scale". */
export const DEFAULT_PARALLEL = 8;

/** At most `size` tasks at once, started in the order they asked, those marked urgent first. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(task: () => Promise<T>, urgent = false): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => (urgent ? this.waiting.unshift(resolve) : this.waiting.push(resolve)));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
