/**
 * Group commit: uplinks that arrive while a batch is being stored wait and go
 * into the next one, so under load one transaction carries hundreds of
 * telegrams, and when idle a telegram is stored on the next turn of the event
 * loop. Nothing is answered before its batch has committed.
 */
export class UplinkBatcher<T> {
  private queue: T[] = [];
  private running: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly process: (batch: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  add(item: T): void {
    this.queue.push(item);
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate: let the datagrams already waiting in the socket join this batch.
    setImmediate(() => {
      this.scheduled = false;
      this.start();
    });
  }

  /** Resolves when everything queued so far has been stored and answered. */
  async drain(): Promise<void> {
    while (this.running || this.queue.length > 0) {
      if (!this.running) this.start();
      await this.running;
    }
  }

  private start(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = (async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.process(batch);
      }
    })().finally(() => {
      this.running = null;
    });
  }
}
