import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDataSealer, SealedValueError } from './data-key.js';

const key = () => new Uint8Array(randomBytes(32));

describe('data sealer', () => {
  it('opens what it sealed, only at the same place', () => {
    const sealer = createDataSealer(new Map([[1, key()]]), 1);
    const sealed = sealer.seal('48213377', 'pins.digits_sealed:7');
    expect(sealer.open(sealed, 'pins.digits_sealed:7')).toBe('48213377');
    expect(() => sealer.open(sealed, 'pins.digits_sealed:8')).toThrow(SealedValueError);
  });

  it('uses a fresh nonce each time and refuses an altered value', () => {
    const sealer = createDataSealer(new Map([[1, key()]]), 1);
    const a = sealer.seal('123456', 'p');
    const b = sealer.seal('123456', 'p');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    a[a.length - 1] = (a[a.length - 1] ?? 0) ^ 1;
    expect(() => sealer.open(a, 'p')).toThrow(SealedValueError);
  });

  it('opens values sealed under an older key id after a rotation', () => {
    const old = key();
    const before = createDataSealer(new Map([[1, old]]), 1).seal('secret', 'p');
    const after = createDataSealer(
      new Map([
        [1, old],
        [2, key()],
      ]),
      2,
    );
    expect(after.open(before, 'p')).toBe('secret');
    expect(after.seal('x', 'p')[0]).toBe(2);
  });
});
