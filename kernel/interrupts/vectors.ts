// Interrupt vector assignments, in one place. 0-31 are CPU exceptions (handled in C); the
// legacy PIC is remapped to 32-47 and masked, so those vectors only ever see its spurious
// interrupts; fixed APIC-delivered vectors start at 48; the dynamic range is handed out by
// registry.ts (interruptAllocate) to devices that can aim their interrupts (MSI-X) and to the
// PCI INTx lines routed through the I/O APIC (pci/intx.ts), one per line.

export const VECTOR_PIC_BASE: u32 = 0x20;
export const VECTOR_PIC_MASTER_SPURIOUS: u32 = 0x27;
export const VECTOR_PIC_SLAVE_SPURIOUS: u32 = 0x2f;
export const VECTOR_TIMER: u32 = 0x30;
export const VECTOR_SERIAL: u32 = 0x34;
export const VECTOR_KEYBOARD: u32 = 0x35;
export const VECTOR_DYNAMIC_FIRST: u32 = 0x40;
export const VECTOR_DYNAMIC_LAST: u32 = 0xef;
export const VECTOR_APIC_SPURIOUS: u32 = 0xff;
