package outputs

// sysRenameat2 is renameat2's number on linux/arm (arch/arm/tools/syscall.tbl).
const sysRenameat2 = 382
