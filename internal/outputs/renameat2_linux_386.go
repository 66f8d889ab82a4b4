package outputs

// sysRenameat2 is renameat2's number on linux/386 (arch/x86/entry/syscalls/syscall_32.tbl).
const sysRenameat2 = 353
