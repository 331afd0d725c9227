//go:build !linux

package storagetest

import "syscall"

// sysProcAttr cannot switch users or set a parent-death signal outside
// Linux; run the tests as an ordinary user there.
func sysProcAttr(*owner) *syscall.SysProcAttr { return nil }
