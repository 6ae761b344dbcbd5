import { fromUtf8 } from '../bytes.js';
import { ProtocolError } from '../errors.js';

export function fail(code: ProtocolError['code'], message: string): never {
  throw new ProtocolError(code, message);
}

/** Bounds-checked little-endian reader over one frame body. */
export class BodyReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    const at = this.offset;
    if (at + n > this.bytes.length) fail('bad-length', `${this.what} body too short`);
    this.offset = at + n;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  /** A u64 that must fit a JavaScript number exactly. */
  u64(field: string): number {
    const at = this.need(8);
    const high = this.view.getUint32(at + 4, true);
    if (high >= 0x200000) fail('bad-value', `${this.what}.${field} exceeds 2^53`);
    return high * 0x1_0000_0000 + this.view.getUint32(at, true);
  }
  raw(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  rest(): Uint8Array {
    return this.raw(this.bytes.length - this.offset);
  }
  text(bytes: Uint8Array, field: string, max: number): string {
    if (bytes.length > max) fail('bad-value', `${this.what}.${field} longer than ${max} bytes`);
    try {
      return fromUtf8(bytes);
    } catch {
      return fail('bad-value', `${this.what}.${field} is not valid UTF-8`);
    }
  }
  end(): void {
    if (this.offset !== this.bytes.length) fail('bad-length', `${this.what} body has trailing bytes`);
  }
}

/** Growable little-endian writer. */
export class Writer {
  private bytes = new Uint8Array(2048);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  reset(): void {
    this.length = 0;
  }

  private room(n: number): number {
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  // room() may replace bytes and view, so it must run before they are read.
  u8(v: number): void {
    const at = this.room(1);
    this.view.setUint8(at, v);
  }
  u16(v: number): void {
    const at = this.room(2);
    this.view.setUint16(at, v, true);
  }
  u32(v: number): void {
    const at = this.room(4);
    this.view.setUint32(at, v, true);
  }
  u64(v: number): void {
    const at = this.room(8);
    this.view.setUint32(at, v % 0x1_0000_0000, true);
    this.view.setUint32(at + 4, Math.floor(v / 0x1_0000_0000), true);
  }
  raw(b: Uint8Array): void {
    const at = this.room(b.length);
    this.bytes.set(b, at);
  }
  patchU16(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}
