// Host-test entry for the kernel's intrusive FIFO (kernel/collections/lists.ts, Chain): a chain of
// numbered items, driven by index from the test, which compares every state against a model.

import { Chain } from "../../../kernel/collections/lists";

class Item {
  next: Item | null = null;
  constructor(readonly value: i32) {}
}

const items: Item[] = [];
const chain = new Chain<Item>();

/** Makes `count` items, numbered 0..count-1, none in the chain. */
export function setUp(count: i32): void {
  for (let i = 0; i < count; i++) items.push(new Item(i));
}

export function push(index: i32): void {
  chain.push(items[index]);
}

/** The oldest item's number, or -1 when the chain is empty. */
export function shift(): i32 {
  const item = chain.shift();
  return item === null ? -1 : item.value;
}

export function remove(index: i32): bool {
  return chain.remove(items[index]);
}

export function length(): i32 {
  return chain.length;
}

/** The chain from head to tail, as numbers, written at `into`; returns how many. Checks that
 * the tail is the last item reached and that its `next` is null. */
export function walk(into: usize): i32 {
  let count = 0;
  let last: Item | null = null;
  let item = chain.head;
  while (item !== null) {
    store<i32>(into + (<usize>count << 2), item.value);
    count++;
    last = item;
    item = item.next;
  }
  if (chain.tail !== last) return -1;
  return count;
}

export function scratch(): usize {
  return heap.alloc(4 * 4096);
}
