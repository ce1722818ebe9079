/**
 * A set that forgets its oldest entries beyond `capacity`, so that long-running pipelines that
 * remember what they already did keep a fixed memory footprint.
 */
export class BoundedSet<T> {
  readonly #items = new Set<T>();

  constructor(readonly capacity: number) {}

  has(value: T): boolean {
    return this.#items.has(value);
  }

  add(value: T): void {
    this.#items.delete(value);
    this.#items.add(value);
    if (this.#items.size > this.capacity) this.#items.delete(this.#items.values().next().value as T);
  }

  get size(): number {
    return this.#items.size;
  }
}
