package supervise

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

// defaultPath is what docker gives a container whose image sets no PATH.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// startChild forks and execs the command in a new process group (pgid = pid)
// so the supervisor can signal the service and everything it spawned at once.
// The child inherits the given fds directly: its output reaches docker logs
// with no copy or buffer in between. syscall.ForkExec is used instead of
// os/exec because the supervisor reaps with wait4(-1) (it is PID 1) and must
// not race an exec.Cmd.Wait for the same pid.
func startChild(cfg Config) (int, error) {
	if len(cfg.Command) == 0 {
		return 0, errors.New("no command")
	}
	path, err := lookPath(cfg.Command[0], getenv(cfg.Env, "PATH"))
	if err != nil {
		return 0, err
	}
	attr := &syscall.ProcAttr{
		Env:   cfg.Env,
		Files: cfg.Stdio,
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	}
	// With `docker run -t`, give the terminal to the child's group, or the
	// child would be stopped (SIGTTIN) when it reads from it.
	fg := len(cfg.Stdio) > 0 && isControllingTTY(cfg.Stdio[0])
	if fg {
		attr.Sys.Foreground = true
		attr.Sys.Ctty = 0
	}
	pid, err := syscall.ForkExec(path, cfg.Command, attr)
	if err != nil && fg && (err == syscall.ENOTTY || err == syscall.EPERM) {
		attr.Sys.Foreground = false
		pid, err = syscall.ForkExec(path, cfg.Command, attr)
	}
	if err != nil {
		return 0, &os.PathError{Op: "exec", Path: path, Err: err}
	}
	return pid, nil
}

// startFailureCode mirrors docker's codes for a command it cannot run:
// 127 when it does not exist, 126 when it exists but cannot be executed.
func startFailureCode(err error) int {
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, errNotFound) {
		return 127
	}
	return 126
}

var errNotFound = errors.New("executable file not found in $PATH")

// lookPath resolves a bare command name against PATH like execvp does; names
// containing a slash are used as they are.
func lookPath(file, path string) (string, error) {
	if strings.Contains(file, "/") {
		return file, nil
	}
	if path == "" {
		path = defaultPath
	}
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + file
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &os.PathError{Op: "exec", Path: file, Err: errNotFound}
}

func getenv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// isControllingTTY reports whether fd is a terminal that has a foreground
// process group, i.e. our controlling terminal (TIOCGPGRP fails otherwise).
func isControllingTTY(fd uintptr) bool {
	var pgrp int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(syscall.TIOCGPGRP), uintptr(unsafe.Pointer(&pgrp)))
	return errno == 0
}

// signalGroup sends sig to every process in the group. A child that moved
// itself to another group (setsid, setpgid) is signalled directly as well.
func signalGroup(pgid, pid int, sig syscall.Signal) {
	if pgid > 0 {
		syscall.Kill(-pgid, sig)
	}
	if pid > 0 {
		if pg, err := syscall.Getpgid(pid); err == nil && pg != pgid {
			syscall.Kill(pid, sig)
		}
	}
}

// groupAlive reports whether any process (zombies included, which is why the
// supervisor reaps before asking) is still in the group.
func groupAlive(pgid int) bool {
	if pgid <= 0 {
		return false
	}
	err := syscall.Kill(-pgid, 0)
	return err == nil || err == syscall.EPERM
}
