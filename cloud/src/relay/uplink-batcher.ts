/**
 * Group commit: uplinks that arrive while a batch is being stored wait and go
 * into the next one, so under load one transaction carries hundreds of
 * telegrams, and when idle a telegram is stored on the next turn of the event
 * loop. Nothing is answered before its batch has committed.
 *
 * With more than one lane, that many batches are stored at once (MariaDB:
 * while one waits for its commit to reach the disk, the next one runs). Two
 * batches in flight never share a key (a depot): a depot's telegrams are
 * stored and answered in the order they came, and the two transactions touch
 * disjoint rows.
 */
export class UplinkBatcher<T> {
  private queue: T[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Keys of the items in the batches being stored. */
  private readonly busy = new Set<number>();
  private scheduled = false;
  private readonly lanes: number;
  private readonly keyOf: ((item: T) => number) | undefined;

  constructor(
    private readonly process: (batch: T[]) => Promise<void>,
    private readonly maxBatch: number,
    options: { lanes?: number; keyOf?: (item: T) => number } = {},
  ) {
    this.lanes = Math.max(1, options.lanes ?? 1);
    this.keyOf = options.keyOf;
    if (this.lanes > 1 && !this.keyOf) throw new Error('several lanes need a key per item');
  }

  get pending(): number {
    return this.queue.length;
  }

  add(item: T): void {
    this.queue.push(item);
    if (this.scheduled || this.running.size >= this.lanes) return;
    // On the next turn, so that every datagram of this socket read joins the batch.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.fill();
    });
  }

  /** Resolves when everything queued so far has been stored and answered. */
  async drain(): Promise<void> {
    while (this.running.size > 0 || this.queue.length > 0) {
      this.fill();
      await Promise.all([...this.running]);
    }
  }

  /** Starts batches while a lane is free and the queue holds items no running batch has the key of. */
  private fill(): void {
    while (this.running.size < this.lanes && this.queue.length > 0) {
      const { batch, keys } = this.take();
      if (batch.length === 0) return;
      const run: Promise<void> = this.process(batch).finally(() => {
        for (const key of keys) this.busy.delete(key);
        this.running.delete(run);
        this.fill();
      });
      this.running.add(run);
    }
  }

  private take(): { batch: T[]; keys: number[] } {
    const keyOf = this.keyOf;
    if (this.lanes === 1 || !keyOf) return { batch: this.queue.splice(0, this.maxBatch), keys: [] };
    const batch: T[] = [];
    const rest: T[] = [];
    const keys = new Set<number>();
    for (const item of this.queue) {
      const key = keyOf(item);
      // An item whose key a running batch holds waits, and so does every later one of that key.
      if (batch.length < this.maxBatch && !this.busy.has(key)) {
        batch.push(item);
        keys.add(key);
      } else rest.push(item);
    }
    // A key taken here may also have items left behind (the batch filled up): they stay, after it.
    this.queue = rest;
    for (const key of keys) this.busy.add(key);
    return { batch, keys: [...keys] };
  }
}
