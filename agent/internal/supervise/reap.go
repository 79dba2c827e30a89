package supervise

import "syscall"

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from <linux/prctl.h>.
const prSetChildSubreaper = 36

// BecomeSubreaper makes orphaned descendants re-parent to this process even
// when it is not PID 1 (e.g. under `docker run --init`, or in tests), so the
// supervisor can reap them and see when a process group is really gone.
// As PID 1 this is already the case and the call is harmless.
func BecomeSubreaper() error {
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// exited is one reaped process.
type exited struct {
	pid    int
	status syscall.WaitStatus
}

// reapAll collects every child that has exited, without blocking. SIGCHLD
// signals coalesce, so one signal may stand for many exits; looping until
// wait4 has nothing left is what keeps PID 1 free of zombies.
func reapAll() []exited {
	var out []exited
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return out
		}
		out = append(out, exited{pid: pid, status: ws})
	}
}
