/* The firmware floor: the smallest multiboot2 kernel that prints one line and stops. Booted by
 * the same GRUB configuration as Capsid, it measures what the firmware, GRUB and QEMU cost
 * before any kernel work; bench/boot.ts compares Capsid's time to "ready" against it. */
    .intel_syntax noprefix
    .section .multiboot2, "a"
    .balign 8
header:
    .long 0xe85250d6, 0, header_end - header
    .long -(0xe85250d6 + (header_end - header))
    .short 0, 0
    .long 8
header_end:

    .text
    .code32
    .global floor_entry
floor_entry:
    mov esi, offset message
1:  lodsb
    test al, al
    jz 3f
    mov ah, al
2:  mov dx, 0x3fd
    in al, dx
    test al, 0x20
    jz 2b
    mov dx, 0x3f8
    mov al, ah
    out dx, al
    jmp 1b
3:  mov dx, 0xf4
    mov al, 0x10                     /* isa-debug-exit: pass */
    out dx, al
4:  hlt
    jmp 4b

    .section .rodata
message:
    .asciz "floor: ready\r\n"

#ifdef IMAGE_BYTES
    /* The sized floor (bench/boot.ts): as many loaded bytes, and as many bytes for GRUB to zero,
     * as Capsid's kernel image, so that the floor's boot also pays for reading that image. */
    .section .image, "a"
    .fill IMAGE_BYTES, 1, 0x5a
    .section .bss
    .skip ZEROED_BYTES
#endif

    .section .note.GNU-stack, "", @progbits
