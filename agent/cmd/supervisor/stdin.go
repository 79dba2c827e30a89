package main

import (
	"os"
	"syscall"
	"unsafe"
)

// childStdinFile keeps the child's stdin open for the supervisor's whole
// life: an unreferenced *os.File would be closed by its finalizer, and every
// restart hands the same fd to the new child.
var childStdinFile *os.File

// childStdin decides who reads the supervisor's stdin. Normally it carries
// the stdin protocol, so the child gets /dev/null: a child reading the same
// pipe would steal frames. A terminal (`docker run -it`, someone debugging
// by hand) cannot carry the binary protocol anyway, so there the child keeps
// it and the protocol is off. Returns the child's fd 0 and whether to serve.
func childStdin() (uintptr, bool, string) {
	if isTerminal(0) {
		return 0, false, ""
	}
	f, err := os.Open(os.DevNull)
	if err != nil {
		// Docker always provides /dev/null; elsewhere, an empty pipe reads
		// the same (immediate end of input).
		r, w, perr := os.Pipe()
		if perr != nil {
			return 0, false, "cannot open " + os.DevNull + " (" + err.Error() + "): stdin protocol off"
		}
		w.Close()
		f = r
	}
	childStdinFile = f
	growPipe(0)
	return f.Fd(), true, ""
}

// fSetPipeSz is F_SETPIPE_SZ from <linux/fcntl.h>.
const fSetPipeSz = 1031

// growPipe asks for a 1 MiB pipe buffer on stdin (the default is 64 KiB), so
// dockerd can copy a large payload ahead while the supervisor writes and
// hashes, with fewer wake-ups on both sides. Not a pipe, or a lower
// /proc/sys/fs/pipe-max-size for a non-root user: it stays as it is.
func growPipe(fd uintptr) {
	syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSz, 1<<20)
}

func isTerminal(fd uintptr) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(syscall.TCGETS), uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
