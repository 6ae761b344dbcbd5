/** Every step of the generator checks itself: a file that fails here is never written. */
export function assert(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`test vector generation: ${what}`);
}
