# gdb script for `make debug`: loads the kernel's symbols (C glue and the wasm2c-generated
# functions, whose names are w2c_<AssemblyScript name with / # . ~ as _>) and attaches to QEMU's
# gdb stub, halted before the firmware's first instruction.
set confirm off
set pagination off
file build/kernel.elf
target remote localhost:1234
# Stop when the C side of boot starts (long mode, higher half).
hbreak kernel_entry
echo \nQEMU is halted at reset. `continue` runs to kernel_entry; `break w2c_kernel_main_kernelMain` stops in the kernel module.\n
