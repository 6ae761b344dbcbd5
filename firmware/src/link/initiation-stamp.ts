/**
 * The stamp a depot puts in each handshake initiation must grow strictly
 * (the relay refuses a stamp it has seen, which stops replayed handshakes).
 * A Raspberry Pi has no battery clock, so wall time alone can go backwards
 * after a power cut: take the wall clock when it is ahead, else last + 1.
 * The caller persists the result before the initiation leaves the depot.
 */
export function nextInitiationStamp(lastStamp: number, wallClockMs: number): number {
  if (!Number.isSafeInteger(lastStamp) || lastStamp < 0) {
    throw new RangeError(`last initiation stamp must be a non-negative integer, got ${lastStamp}`);
  }
  const wall = Number.isSafeInteger(wallClockMs) ? wallClockMs : 0;
  return Math.max(wall, lastStamp + 1);
}
