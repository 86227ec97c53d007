// The kernel's small lists (run queue, deadlines, parked threads, endpoint queues), kept without
// allocating. Arrays: Array.splice returns the removed elements in a new array, an allocation on
// every block and wake-up, so removal is listRemoveAt. Chains: a FIFO threaded through its
// elements' own `next` field, for the lists on the IPC and scheduling paths, where an array's
// push (a capacity check) and shift (moving every element) cost more than the work itself.
// Order is kept in both (the run queue and the endpoint queues are FIFO).

/** Removes the element at `index` (0 <= index < length), keeping the others in order. */
export function listRemoveAt<T>(list: T[], index: i32): void {
  const last = list.length - 1;
  for (let i = index; i < last; i++) unchecked(list[i] = list[i + 1]);
  list.length = last;
}

/** Inserts `element` at `index` (0 <= index <= length), moving the later elements up. */
export function listInsertAt<T>(list: T[], index: i32, element: T): void {
  list.push(element);
  for (let i = list.length - 1; i > index; i--) unchecked(list[i] = list[i - 1]);
  unchecked(list[index] = element);
}

/** Removes `element` if present (the first occurrence); whether it was. */
export function listRemove<T>(list: T[], element: T): bool {
  const index = list.indexOf(element);
  if (index < 0) return false;
  listRemoveAt<T>(list, index);
  return true;
}

/** A FIFO of elements that have a `next: T | null` field. An element is in at most one chain at
 * a time (its `next` is the chain's); a chain never allocates. */
export class Chain<T> {
  head: T | null = null;
  tail: T | null = null;
  length: i32 = 0;

  /** Appends `item`, which must be in no chain. */
  push(item: T): void {
    item.next = null;
    const tail = this.tail;
    if (tail === null) this.head = item;
    else tail.next = item;
    this.tail = item;
    this.length++;
  }

  /** Takes the oldest element; null when empty. */
  shift(): T | null {
    const head = this.head;
    if (head === null) return null;
    this.unlinkAfter(null, head);
    return head;
  }

  /** Unlinks `item`, which follows `previous` in this chain (null: it is the head). */
  unlinkAfter(previous: T | null, item: T): void {
    const next = item.next;
    if (previous === null) this.head = next;
    else previous.next = next;
    if (this.tail === item) this.tail = previous;
    item.next = null;
    this.length--;
  }

  /** Unlinks `item` if it is in this chain; whether it was. */
  remove(item: T): bool {
    let previous: T | null = null;
    let cursor = this.head;
    while (cursor !== null) {
      if (cursor === item) {
        this.unlinkAfter(previous, item);
        return true;
      }
      previous = cursor;
      cursor = cursor.next;
    }
    return false;
  }
}
