// Package arch holds the test that keeps the module's layers in order: each
// package may import only the packages docs/architecture.md allows it. It
// has no code of its own.
package arch
