package storagetest

import "syscall"

// sysProcAttr runs a PostgreSQL program as o (when set) and stops the server
// with a fast shutdown if the test binary dies without calling Stop (a
// panic or a go test timeout), so no server outlives its tests.
func sysProcAttr(o *owner) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Pdeathsig: syscall.SIGINT}
	if o != nil {
		a.Credential = &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.gid)}
	}
	return a
}
