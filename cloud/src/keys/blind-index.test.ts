import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLIND_INDEX_BYTES, createBlindIndex, loadBlindIndex } from './blind-index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('blind index', () => {
  it('derives a key per organisation and separates kinds', () => {
    const index = createBlindIndex(new Uint8Array(32).fill(9));
    const a = index.token(1, 'email', 'anna@example.org');
    expect(a).toHaveLength(BLIND_INDEX_BYTES);
    expect(hex(index.token(1, 'email', 'anna@example.org'))).toBe(hex(a));
    expect(hex(index.token(2, 'email', 'anna@example.org'))).not.toBe(hex(a));
    expect(hex(index.token(1, 'word', 'anna@example.org'))).not.toBe(hex(a));
    expect(hex(createBlindIndex(new Uint8Array(32).fill(8)).token(1, 'email', 'anna@example.org'))).not.toBe(hex(a));
    expect(() => createBlindIndex(new Uint8Array(16))).toThrow(RangeError);
  });

  it('keeps its key in a file of its own (0600), created once and read back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keydepot-index-'));
    try {
      const file = join(dir, 'index.key');
      const first = await loadBlindIndex(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const again = await loadBlindIndex(file);
      expect(hex(again.token(3, 'plate', 'HHAB123'))).toBe(hex(first.token(3, 'plate', 'HHAB123')));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
