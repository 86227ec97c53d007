// Removing from the kernel's small lists (run queue, deadlines, parked threads, endpoint queues)
// without allocating: Array.splice returns the removed elements in a new array, an allocation
// on every block and wake-up. Order is kept (the run queue and the endpoint queues are FIFO).

/** Removes the element at `index` (0 <= index < length), keeping the others in order. */
export function listRemoveAt<T>(list: T[], index: i32): void {
  const last = list.length - 1;
  for (let i = index; i < last; i++) unchecked(list[i] = list[i + 1]);
  list.length = last;
}

/** Removes `element` if present (the first occurrence); whether it was. */
export function listRemove<T>(list: T[], element: T): bool {
  const index = list.indexOf(element);
  if (index < 0) return false;
  listRemoveAt<T>(list, index);
  return true;
}
