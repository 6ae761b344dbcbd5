/** Simulated durations as people write them in scenarios and at the prompt: "30s", "2h", "1d 6h", "7d". */

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d|w)/gy;

/** Milliseconds for "90s", "2h30m", "1d 6h" or "0"; undefined when the text is no duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  let total = 0;
  let matched = 0;
  PART.lastIndex = 0;
  for (let at = 0; at < trimmed.length; ) {
    while (trimmed[at] === ' ') at++;
    if (at >= trimmed.length) break;
    PART.lastIndex = at;
    const part = PART.exec(trimmed);
    if (!part) return undefined;
    total += Number(part[1]) * (UNIT_MS[part[2] as string] as number);
    matched++;
    at = PART.lastIndex;
  }
  return matched === 0 ? undefined : Math.round(total);
}

/** The shortest readable form: "2 h", "1 d 6 h", "450 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)} ${unit}`);
      rest %= seconds;
    }
  }
  return parts.join(' ');
}
