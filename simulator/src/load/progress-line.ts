import type { ProgressSample } from './run-load.js';

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const describe = (p: ProgressSample) =>
  `${p.phase.padEnd(9)} ${(p.elapsedMs / 1000).toFixed(0).padStart(4)} s  depots online ${p.online.toLocaleString('en-US')}/${p.depots.toLocaleString('en-US')}  ` +
  `${Math.round(p.telegramsPerSecond).toLocaleString('en-US')} telegrams/s  ${p.eventsStored.toLocaleString('en-US')} events stored  ` +
  `p99 ${p.p99Ms === null ? '–' : `${p.p99Ms.toFixed(1)} ms`}`;

/**
 * The live progress of a run: on a terminal one line redrawn in place with
 * \r; otherwise (CI logs, a pipe) a plain line every `plainEveryMs`.
 */
export function progressPrinter(out: ProgressOutput, plainEveryMs = 5_000) {
  let width = 0;
  let lastPlain = Number.NEGATIVE_INFINITY;
  return {
    update(sample: ProgressSample): void {
      const line = describe(sample);
      if (out.isTTY) {
        out.write(`\r${line.padEnd(width)}`);
        width = line.length;
      } else if (sample.elapsedMs - lastPlain >= plainEveryMs) {
        out.write(`${line}\n`);
        lastPlain = sample.elapsedMs;
      }
    },
    /** Ends the live line so that what follows starts on a fresh one. */
    done(): void {
      if (out.isTTY && width > 0) out.write('\n');
      width = 0;
    },
  };
}
