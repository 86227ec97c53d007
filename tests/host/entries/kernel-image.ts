// Host-test entry for kernel/memory/kernel-image.ts: a made-up layout, and the decision and the
// flags for any address.

import { imagePageFlags, imagePageInEntryArea, imagePageKind, KERNEL_IMAGE_LAYOUT_BYTES, KernelImageLayout } from "../../../kernel/memory/kernel-image";

const layoutStorage = memory.data(KERNEL_IMAGE_LAYOUT_BYTES, 8);

export function layoutAddress(): usize {
  return layoutStorage;
}

export function kind(virtual: u64): i32 {
  return imagePageKind(changetype<KernelImageLayout>(layoutStorage), virtual);
}

export function flags(virtual: u64): u64 {
  return imagePageFlags(imagePageKind(changetype<KernelImageLayout>(layoutStorage), virtual));
}

export function inEntryArea(virtual: u64): bool {
  return imagePageInEntryArea(changetype<KernelImageLayout>(layoutStorage), virtual);
}
