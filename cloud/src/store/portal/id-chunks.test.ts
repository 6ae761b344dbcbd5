import { describe, expect, it } from 'vitest';
import { IN_LIST_CHUNK, inChunks } from './id-chunks.js';

describe('inChunks', () => {
  it('queries below MariaDB’s IN-list threshold and keeps every row in order', async () => {
    const ids = Array.from({ length: 1_234 }, (_, i) => i + 1);
    const seen: number[] = [];
    const rows = await inChunks(ids, async (chunk) => {
      seen.push(chunk.length);
      return chunk.map((id) => id * 2);
    });
    expect(Math.max(...seen)).toBe(IN_LIST_CHUNK);
    expect(IN_LIST_CHUNK).toBeLessThan(1_000);
    expect(rows).toEqual(ids.map((id) => id * 2));
    expect(await inChunks([], async () => [1])).toEqual([]);
  });
});
