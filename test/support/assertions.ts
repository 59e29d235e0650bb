// Assertions over collections that cannot pass by accident: "every item is so" proves nothing about an empty list.
import assert from 'node:assert/strict';

/** Asserts that the collection has at least one item and that every item satisfies the predicate. */
export function assertEvery<T>(items: Iterable<T>, predicate: (item: T) => boolean, message = 'every item'): void {
  const list = [...items];
  assert.ok(list.length > 0, `${message}: the collection is empty, so "every" would prove nothing`);
  const failing = list.findIndex((item) => !predicate(item));
  assert.equal(failing, -1, `${message}: item ${failing} does not hold: ${JSON.stringify(list[failing])}`);
}
