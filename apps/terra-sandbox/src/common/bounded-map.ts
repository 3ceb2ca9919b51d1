/** A Map that forgets its oldest entries past `limit`, so abandoned sessions and tokens cannot grow memory forever. */
export class BoundedMap<K, V> {
  private readonly items = new Map<K, V>();

  constructor(
    private readonly limit: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {}

  set(key: K, value: V): void {
    this.items.set(key, value);
    while (this.items.size > this.limit) {
      const oldest = this.items.entries().next().value as [K, V];
      this.items.delete(oldest[0]);
      this.onEvict?.(oldest[0], oldest[1]);
    }
  }

  get(key: K): V | undefined {
    return this.items.get(key);
  }

  delete(key: K): boolean {
    return this.items.delete(key);
  }

  get size(): number {
    return this.items.size;
  }

  values(): IterableIterator<V> {
    return this.items.values();
  }

  clear(): void {
    this.items.clear();
  }
}
