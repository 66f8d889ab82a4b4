package outputs

// sysRenameat2 is renameat2's number on linux/amd64 (arch/x86/entry/syscalls/syscall_64.tbl);
// the syscall package does not list it for this architecture.
const sysRenameat2 = 316
