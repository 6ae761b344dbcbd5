/**
 * A listener list for driver events. Every listener is called even if an earlier
 * one throws, so one broken subscriber (say, a logger) cannot hide a door opening
 * from the depot core; the first error is rethrown afterwards.
 */
export class Listeners<T> {
  private readonly list = new Set<(value: T) => void>();

  /** Adds a listener; returns a function that removes it. */
  add(listener: (value: T) => void): () => void {
    // Wrapped so the same function can subscribe twice and unsubscribe each time on its own.
    const entry = (value: T): void => listener(value);
    this.list.add(entry);
    return () => {
      this.list.delete(entry);
    };
  }

  emit(value: T): void {
    let failure: { error: unknown } | undefined;
    for (const listener of [...this.list]) {
      try {
        listener(value);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  get size(): number {
    return this.list.size;
  }

  clear(): void {
    this.list.clear();
  }
}
