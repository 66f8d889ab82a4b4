//go:build linux && !(amd64 || 386 || arm || arm64 || loong64 || mips64 || mips64le || riscv64 || s390x)

package outputs

// sysRenameat2 is unknown here: swaps rename twice.
const sysRenameat2 = 0
