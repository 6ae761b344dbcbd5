/**
 * Small seeded generators for tests and the simulator: the same seed gives the
 * same link jitter (the rhythm's Random) and the same simulated network
 * decisions, run after run. A depot in the field draws from Math.random. Not
 * for secrets: keys and nonces come from the crypto backend.
 */
import type { Random } from './rhythm.js';

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): one 32-bit state word,
 * period 2^32, passes the usual statistical batteries well enough for coin
 * flips and delays, and is a few lines of integer arithmetic.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A seed for one stream (e.g. depot 17's uplink) derived from the run's seed
 * and labels, so every stream draws on its own: how often depot 3 sends
 * cannot change what happens to depot 17's datagrams. FNV-1a over the labels,
 * then murmur3's finaliser to spread close inputs apart.
 */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (const label of labels) {
    for (const char of `${label}\u0000`) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
