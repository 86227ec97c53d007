/* Boot stub: the multiboot2 header and the 32-bit entry GRUB jumps to (BIOS and UEFI alike, in
 * protected mode with paging off). It checks for long mode, builds the boot page tables (the
 * first 4 GiB with 2 MiB pages, visible at address 0 and at DIRECT_MAP_BASE, and the first GiB
 * again at KERNEL_VIRT_OFFSET for the kernel image), enters long mode and calls kernel_entry()
 * in arch/x86_64/entry.c on the kernel stack. Everything here runs at its physical address.
 */
#include "../arch/x86_64/layout.h"

#define MB2_HEADER_MAGIC     0xe85250d6
#define MB2_ARCH_I386        0
#define MB2_TAG_FRAMEBUFFER  5
#define MB2_TAG_OPTIONAL     1
#define PAGE_PRESENT         0x1
#define PAGE_WRITABLE        0x2
#define PAGE_HUGE            0x80
#define PML4_INDEX(a)        (((a) >> 39) & 511)
#define PDPT_INDEX(a)        (((a) >> 30) & 511)

    .intel_syntax noprefix

/* multiboot2 specification 2.0, section 3.1.1: header magic, architecture, length, checksum,
 * then tags ending with the end tag (type 0, size 8). The framebuffer tag (§3.1.10: type 5,
 * optional, width, height, depth) asks GRUB for a linear framebuffer, 1024x768 at 32 bits by
 * preference; grub.cfg's gfxpayload comes first, and on a BIOS machine "text" keeps VGA text
 * mode. Tags are 8-byte aligned. */
    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    .balign 8
    .short MB2_TAG_FRAMEBUFFER, MB2_TAG_OPTIONAL
    .long 20
    .long 1024, 768, 32
    .balign 8
    .short 0, 0
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .global boot_entry
boot_entry:
    cli
    cld
    mov [boot_saved_magic], eax       /* multiboot2 magic */
    mov [boot_saved_information], ebx /* physical address of the boot information */
    mov esp, offset boot_stack_top

    /* Long mode present? CPUID 0x80000001 EDX bit 29. */
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz no_long_mode

    /* Four page directories map 0..4 GiB with 2 MiB pages. */
    mov edi, offset boot_pd
    xor ecx, ecx
1:  mov eax, ecx
    shl eax, 21
    or eax, PAGE_PRESENT | PAGE_WRITABLE | PAGE_HUGE
    mov edx, ecx
    shr edx, 11                       /* high half of (index << 21) */
    mov [edi + ecx * 8], eax
    mov [edi + ecx * 8 + 4], edx
    inc ecx
    cmp ecx, 4 * 512
    jne 1b

    /* boot_pdpt_low[0..3] -> the four directories. */
    mov edi, offset boot_pdpt_low
    mov eax, offset boot_pd
    or eax, PAGE_PRESENT | PAGE_WRITABLE
    xor ecx, ecx
2:  mov [edi + ecx * 8], eax
    add eax, 4096
    inc ecx
    cmp ecx, 4
    jne 2b

    /* The kernel image window: boot_pdpt_high[510] -> the first directory (0..1 GiB). */
    mov eax, offset boot_pd
    or eax, PAGE_PRESENT | PAGE_WRITABLE
    mov [boot_pdpt_high + PDPT_INDEX(KERNEL_VIRT_OFFSET) * 8], eax

    mov eax, offset boot_pdpt_low
    or eax, PAGE_PRESENT | PAGE_WRITABLE
    mov [boot_pml4 + 0], eax                                  /* identity */
    mov [boot_pml4 + PML4_INDEX(DIRECT_MAP_BASE) * 8], eax    /* direct map */
    mov eax, offset boot_pdpt_high
    or eax, PAGE_PRESENT | PAGE_WRITABLE
    mov [boot_pml4 + PML4_INDEX(KERNEL_VIRT_OFFSET) * 8], eax

    /* CR4.PAE, CR3, EFER.LME, CR0.PG|WP: Intel SDM vol. 3, 10.8.5. */
    mov eax, cr4
    or eax, 1 << 5
    mov cr4, eax
    mov eax, offset boot_pml4
    mov cr3, eax
    mov ecx, 0xc0000080
    rdmsr
    or eax, 1 << 8
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)
    mov cr0, eax

    lgdt [boot_gdt_pointer]
    ljmp 0x08, offset long_mode_entry

no_long_mode:
    mov esi, offset no_long_mode_message
3:  lodsb
    test al, al
    jz 5f
    mov ah, al
4:  mov dx, COM1_PORT + 5             /* wait for the transmit holding register */
    in al, dx
    test al, 0x20
    jz 4b
    mov dx, COM1_PORT
    mov al, ah
    out dx, al
    jmp 3b
5:  hlt
    jmp 5b

    .code64
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov edi, [boot_saved_magic]       /* 32-bit loads zero the upper halves */
    mov esi, [boot_saved_information]
    movabs rax, offset higher_half_entry
    jmp rax

    .section .boot.data, "aw"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff          /* 0x08: 64-bit code, ring 0 */
    .quad 0x00cf92000000ffff          /* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_pointer:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt
    .balign 8
boot_gdt_pointer_high:                /* the same GDT through the kernel window */
    .short boot_gdt_end - boot_gdt - 1
    .quad boot_gdt + KERNEL_VIRT_OFFSET
boot_saved_magic:       .long 0
boot_saved_information: .long 0
no_long_mode_message:
    .asciz "capsid: panic: this CPU has no long mode (x86_64); cannot boot\r\n"

    .section .boot.bss, "aw", @nobits
    .balign 4096
    .global boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096
boot_stack:     .skip 4096
boot_stack_top:

/* From here on the kernel runs at its linked (higher-half) address. */
    .text
higher_half_entry:
    movabs rax, offset boot_gdt_pointer_high + KERNEL_VIRT_OFFSET
    lgdt [rax]                        /* the identity map goes away in direct_map_install */
    movabs rsp, offset kernel_stack_top
    xor ebp, ebp
    call kernel_entry                 /* (magic, boot information physical address) */
6:  cli
    hlt
    jmp 6b


    .section .note.GNU-stack, "", @progbits
