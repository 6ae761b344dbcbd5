/** The demo checks every step it shows; a surprise ends it with exit code 1. */
export function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`unexpected: ${message}`);
}
