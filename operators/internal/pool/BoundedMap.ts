/**
 * A map that forgets its oldest entries beyond `capacity`: the pool remembers which server made
 * each image without growing over an endless stream.
 */
export class BoundedMap<K, V> {
  readonly #items = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.#items.get(key);
  }

  set(key: K, value: V): void {
    this.#items.delete(key);
    this.#items.set(key, value);
    if (this.#items.size > this.capacity) this.#items.delete(this.#items.keys().next().value as K);
  }

  get size(): number {
    return this.#items.size;
  }
}
