// Shared by the host-test entries of parsers of untrusted bytes (multiboot2, ELF, manifest): the
// tests place the bytes so that they end exactly at the end of linear memory, where one byte too
// far traps instead of reading something.

/** Grows the heap once (and frees it again) so that parsing never grows memory, then adds
 * `pages` pages above everything the heap owns. Returns the end of linear memory. */
export function reserveTop(pages: i32): usize {
  heap.free(heap.alloc(8 << 20));
  if (memory.grow(pages) < 0) abort("test entry: memory.grow refused");
  return memoryEnd();
}

export function memoryEnd(): usize {
  return <usize>memory.size() << 16;
}
