import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDataSealer, loadDataSealer, UnknownDataKeyError } from './data-key.js';
import {
  createDataKeysIfMissing,
  type DataKeyring,
  parseDataKeys,
  readDataKeys,
  withNewKey,
  writeDataKeys,
} from './data-key-file.js';
import { KeyFileError } from './secret-key-file.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keydepot-data-key-'));
  file = join(dir, 'data.key');
});
afterEach(() => rmSync(dir, { recursive: true }));

const hex = () => randomBytes(32).toString('hex');
const ids = (ring: DataKeyring) => [...ring.keys.keys()].sort((a, b) => a - b);

describe('data key file', () => {
  it('reads a file of the first format (64 hex digits, mode 0600) as key 1, current', () => {
    const key = hex();
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    const ring = readDataKeys(file);
    expect(ring.currentId).toBe(1);
    expect(ids(ring)).toEqual([1]);
    expect(Buffer.from(ring.keys.get(1) as Uint8Array).toString('hex')).toBe(key);
  });

  it('writes several keys atomically with mode 0400, over a read-only file, leaving no temporary file', async () => {
    writeFileSync(file, `${hex()}\n`, { mode: 0o600 });
    const two = withNewKey(readDataKeys(file));
    await writeDataKeys(file, two);
    expect(statSync(file).mode & 0o777).toBe(0o400);
    const three = withNewKey(readDataKeys(file));
    await writeDataKeys(file, three);
    const back = readDataKeys(file);
    expect(back.currentId).toBe(3);
    expect(ids(back)).toEqual([1, 2, 3]);
    expect(back.keys).toEqual(three.keys);
    expect(readdirSync(dir)).toEqual(['data.key']);
    expect(readFileSync(file, 'utf8')).toMatch(/^# keydepot data keys[\s\S]*\ncurrent 3\nkey 1 [0-9a-f]{64}\nkey 2 /);
  });

  it('refuses a file group or others may read, and one that is not well formed', async () => {
    await createDataKeysIfMissing(file);
    chmodSync(file, 0o440);
    expect(() => readDataKeys(file)).toThrow(`data key file ${file} is open to group or others (mode 0440)`);
    expect(() => readDataKeys(join(dir, 'none.key'))).toThrow(KeyFileError);
    const k = hex();
    expect(() => parseDataKeys(`key 1 ${k}\n`, 'f')).toThrow('data key file f: no "current <id>" line');
    expect(() => parseDataKeys(`current 2\nkey 1 ${k}\n`, 'f')).toThrow('the current key 2 is not in the file');
    expect(() => parseDataKeys(`current 1\nkey 1 ${k}\nkey 1 ${k}\n`, 'f')).toThrow('key 1 appears twice (line 3)');
    expect(() => parseDataKeys(`current 1\nkey 256 ${k}\n`, 'f')).toThrow('line 2 is neither');
    expect(() => parseDataKeys(`current 1\nkey 1 ${k.toUpperCase()}\n`, 'f')).toThrow('line 2 is neither');
  });

  it('gives a new key the next id, and past 255 the lowest id no longer in the file', () => {
    const key = new Uint8Array(32);
    expect(withNewKey({ keys: new Map([[1, key]]), currentId: 1 }).currentId).toBe(2);
    const late = withNewKey({
      keys: new Map([
        [7, key],
        [255, key],
      ]),
      currentId: 255,
    });
    expect(late.currentId).toBe(1);
    expect(late.keys.get(1)).toHaveLength(32);
  });

  it('is created once, with one key and mode 0400; a second start keeps it', async () => {
    expect(await createDataKeysIfMissing(join(dir, 'new', 'data.key'))).toBe(true);
    const created = join(dir, 'new', 'data.key');
    expect(statSync(created).mode & 0o777).toBe(0o400);
    const first = readFileSync(created, 'utf8');
    expect(await createDataKeysIfMissing(created)).toBe(false);
    expect(readFileSync(created, 'utf8')).toBe(first);
    expect(readDataKeys(created).currentId).toBe(1);
  });
});

describe('loaded data sealer', () => {
  it('keeps working on a first-format file and follows the file when a rotation rewrites it', async () => {
    writeFileSync(file, `${hex()}\n`, { mode: 0o600 });
    const sealer = await loadDataSealer(file);
    const before = sealer.seal('48213377', 'pins.digits_sealed:1');
    expect(before[0]).toBe(1);
    // Another process (data-key rotate) rewrites the file.
    const other = await loadDataSealer(file);
    await writeDataKeys(file, withNewKey(readDataKeys(file)));
    const after = other.seal('11112222', 'pins.digits_sealed:2');
    expect(after[0]).toBe(2);
    expect(sealer.open(after, 'pins.digits_sealed:2')).toBe('11112222');
    expect(sealer.seal('x', 'p')[0]).toBe(2);
    expect(other.open(before, 'pins.digits_sealed:1')).toBe('48213377');
  });

  it('refuses to seal once the key file is gone rather than seal with a key that is not on disk', async () => {
    const sealer = await loadDataSealer(file);
    const sealed = sealer.seal('1', 'p');
    unlinkSync(file);
    expect(() => sealer.seal('2', 'p')).toThrow(KeyFileError);
    expect(sealer.open(sealed, 'p')).toBe('1');
  });

  it('names the key id and the place of a value under a key the file does not hold', () => {
    const sealed = createDataSealer(new Map([[9, new Uint8Array(randomBytes(32))]]), 9).seal(
      '1',
      'pins.digits_sealed:4',
    );
    const sealer = createDataSealer(new Map([[1, new Uint8Array(randomBytes(32))]]), 1);
    expect(() => sealer.open(sealed, 'pins.digits_sealed:4')).toThrow(UnknownDataKeyError);
    expect(() => sealer.open(sealed, 'pins.digits_sealed:4')).toThrow(
      'the value at pins.digits_sealed:4 is sealed with data key 9, which the data key file does not hold',
    );
  });
});
