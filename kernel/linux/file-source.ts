// A file mapped private (mmap without MAP_SHARED, docs/linux.md "Memory"): the PageSource of its
// Anonymous region (vm/regions.ts), which fills each page from the file on its first touch, as
// it is then, and zeros past the file's end. The region holds the open file (a reference to its
// File, as a descriptor does), so the mapping outlives close() and unlink(), as on Linux.

import { FileObject } from "../objects/file";
import { PAGE_SIZE } from "../memory/page-table";
import { PageSource } from "../vm/regions";

export class FileSource extends PageSource {
  constructor(readonly file: FileObject) {
    super();
    file.retain();
  }

  fill(offset: u64, destination: usize): void {
    // Past the end, or a node that cannot be read, leaves the zeroed page as it is.
    this.file.fileSystem.read(this.file.node, offset, destination, PAGE_SIZE);
  }

  dispose(): void {
    this.file.release();
  }
}
