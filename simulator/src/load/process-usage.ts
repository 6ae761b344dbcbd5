import { readFileSync } from 'node:fs';

/** CPU time and resident memory of another process, read from /proc (Linux). */
export interface ProcessUsage {
  /** User + system CPU time so far, µs. */
  readonly cpuMicros: number;
  readonly rssBytes: number;
  /** The highest RSS so far (VmHWM). */
  readonly peakRssBytes: number;
}

// utime and stime are in clock ticks; USER_HZ is 100 on every Linux that Node supports.
const TICKS_PER_SECOND = 100;

/** Reads /proc/<pid>/stat (fields 14 and 15: utime, stime) and /proc/<pid>/status (VmRSS, VmHWM). */
export function processUsage(pid: number): ProcessUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuMicros: (ticks * 1_000_000) / TICKS_PER_SECOND, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}
