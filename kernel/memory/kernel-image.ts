// The kernel image's mapping decisions: which virtual pages of the image are mapped, and how.
// Text is read-only and executable; rodata and the symbol table read-only and no-execute; data,
// bss and stacks writable and no-execute; the guard page under every stack unmapped. Which pages
// are the entry area (the entry text and entry data: all of the kernel that user-mode page
// tables map under page-table isolation). Pure: the layout comes in as numbers
// (hw.kernelImageLayout at boot, made-up layouts in host tests).

import { PAGE_NO_EXECUTE, PAGE_SIZE, PAGE_WRITABLE } from "./page-table";

/** Virtual addresses of the image, in the order hw.kernelImageLayout writes them. */
@unmanaged
export class KernelImageLayout {
  virtualOffset: u64;   // virtual = physical + virtualOffset
  textStart: u64;
  textEnd: u64;         // page-aligned
  rodataStart: u64;
  rodataEnd: u64;       // page-aligned
  dataStart: u64;       // .data, .bss, stacks: up to symbolsStart
  symbolsStart: u64;    // .ksyms, page-aligned: read-only up to imageEnd
  imageEnd: u64;        // page-aligned
  kernelStackGuard: u64;
  doubleFaultStackGuard: u64;
  nmiStackGuard: u64;
  pageFaultStackGuard: u64;
  entryTextStart: u64;  // the entry and exit trampolines, page-aligned, up to entryTextEnd
  entryTextEnd: u64;
  entryDataStart: u64;  // GDT, IDT, TSS, the entry variables and stacks, page-aligned
  entryDataEnd: u64;
  entryStackGuard: u64;
}

export const KERNEL_IMAGE_LAYOUT_BYTES: u32 = 17 * 8;

export enum ImagePage {
  Unmapped = 0,
  Text = 1,       // read, execute
  ReadOnly = 2,   // read
  Writable = 3,   // read, write
}

/** How the image page at `virtual` is mapped. */
export function imagePageKind(layout: KernelImageLayout, virtual: u64): ImagePage {
  if (virtual < layout.textStart || virtual >= layout.imageEnd) return ImagePage.Unmapped;
  if (virtual == layout.kernelStackGuard || virtual == layout.doubleFaultStackGuard ||
      virtual == layout.nmiStackGuard || virtual == layout.pageFaultStackGuard ||
      virtual == layout.entryStackGuard) return ImagePage.Unmapped;
  if (virtual < layout.textEnd) return ImagePage.Text;
  if (virtual >= layout.rodataStart && virtual < layout.rodataEnd) return ImagePage.ReadOnly;
  if (virtual >= layout.symbolsStart) return ImagePage.ReadOnly;
  if (virtual >= layout.dataStart) return ImagePage.Writable;
  return ImagePage.Unmapped; // the gaps between sections
}

/** Whether the image page at `virtual` is in the entry area (mapped or not: stack guards are). */
export function imagePageInEntryArea(layout: KernelImageLayout, virtual: u64): bool {
  return (virtual >= layout.entryTextStart && virtual < layout.entryTextEnd) ||
    (virtual >= layout.entryDataStart && virtual < layout.entryDataEnd);
}

/** Page-table flags for a kind (PAGE_PRESENT is added by mapPage). */
export function imagePageFlags(kind: ImagePage): u64 {
  switch (kind) {
    case ImagePage.Text: return 0;
    case ImagePage.ReadOnly: return PAGE_NO_EXECUTE;
    case ImagePage.Writable: return PAGE_WRITABLE | PAGE_NO_EXECUTE;
  }
  return 0;
}

export { PAGE_SIZE };
