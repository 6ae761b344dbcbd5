/** The benchmark's live status line on stderr, and how it writes rates. */

export const progress = new (class {
  private readonly tty = process.stderr.isTTY === true;
  private last = 0;
  private width = 0;
  readonly startedAt = performance.now();

  /** Live status line, overwritten in place (throttled; only on a terminal). */
  update(text: string, force = false): void {
    if (!this.tty) return;
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const line = `[${((now - this.startedAt) / 1000).toFixed(1).padStart(5)} s] ${text}`;
    process.stderr.write(`\r${line.padEnd(this.width)}`);
    this.width = line.length;
  }

  /** A permanent line: on a terminal it replaces the live line. */
  log(text: string): void {
    if (this.tty) {
      process.stderr.write(`\r${' '.repeat(this.width)}\r`);
      this.width = 0;
    }
    process.stderr.write(`${text}\n`);
  }

  clear(): void {
    if (this.tty && this.width > 0) process.stderr.write(`\r${' '.repeat(this.width)}\r`);
    this.width = 0;
  }
})();

export function formatRate(opsPerSecond: number): string {
  return Math.round(opsPerSecond).toLocaleString('en-US');
}
