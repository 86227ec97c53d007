/* The symbol table of the first link: empty. tools/ksyms.ts writes the real one for the second
 * link, which must leave every other symbol where it was (the build compares them). */
    .section .ksyms, "a"
    .balign 8
    .global ksyms_table
ksyms_table:
    .long 0x4d59534b, 0

    .section .note.GNU-stack, "", @progbits
