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
    private readonly delayMs = 0,
  ) {}

  private lastBatch = 0;

  get pending(): number {
    return this.queue.length;
  }

  add(item: T): void {
    this.queue.push(item);
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.start();
    };
    // Under load, wait a little so that more than one socket read (libuv reads 32 datagrams per turn)
    // joins the batch; when idle, go on the next turn so a lone telegram is not delayed.
    if (this.delayMs > 0 && this.lastBatch >= 32) setTimeout(go, this.delayMs);
    else setImmediate(go);
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
        this.lastBatch = batch.length;
        await this.process(batch);
      }
    })().finally(() => {
      this.running = null;
    });
  }
}
