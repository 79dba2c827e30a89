package supervise

import (
	"strconv"
	"strings"
	"syscall"
)

// Handled lists every signal the supervisor must receive. main passes it to
// signal.Notify before the first child starts so no SIGCHLD is missed.
// SIGPIPE is caught (and ignored) rather than set to SIG_IGN: an ignored
// disposition would be inherited by the child across exec, a caught one is not.
var Handled = []syscall.Signal{
	syscall.SIGCHLD,
	syscall.SIGUSR1, syscall.SIGUSR2,
	syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP,
	syscall.SIGPIPE,
}

// Subscribe lists the signals main must pass to signal.Notify: Handled plus
// the configured stop signal, which docker may send on `docker stop` when the
// image's StopSignal is not SIGTERM.
func Subscribe(cfg Config) []syscall.Signal {
	sigs := append([]syscall.Signal(nil), Handled...)
	switch cfg.StopSignal {
	case syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGCHLD:
		// cannot be caught, or already mean something else to the supervisor
	default:
		sigs = append(sigs, cfg.StopSignal)
	}
	return sigs
}

// isForwarded reports whether a signal is passed on to the child's process
// group and ends the supervisor once the child exits.
func isForwarded(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP:
		return true
	}
	return false
}

// signalNames maps the standard Linux signals to the names docker and kill use.
var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGILL: "SIGILL", syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT",
	syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE", syscall.SIGKILL: "SIGKILL",
	syscall.SIGUSR1: "SIGUSR1", syscall.SIGSEGV: "SIGSEGV", syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE", syscall.SIGALRM: "SIGALRM", syscall.SIGTERM: "SIGTERM",
	syscall.SIGSTKFLT: "SIGSTKFLT", syscall.SIGCHLD: "SIGCHLD", syscall.SIGCONT: "SIGCONT",
	syscall.SIGSTOP: "SIGSTOP", syscall.SIGTSTP: "SIGTSTP", syscall.SIGTTIN: "SIGTTIN",
	syscall.SIGTTOU: "SIGTTOU", syscall.SIGURG: "SIGURG", syscall.SIGXCPU: "SIGXCPU",
	syscall.SIGXFSZ: "SIGXFSZ", syscall.SIGVTALRM: "SIGVTALRM", syscall.SIGPROF: "SIGPROF",
	syscall.SIGWINCH: "SIGWINCH", syscall.SIGIO: "SIGIO", syscall.SIGPWR: "SIGPWR",
	syscall.SIGSYS: "SIGSYS",
}

// SignalName gives "SIGTERM" for 15; real-time and unknown signals get
// "SIG<n>" so the log line always has one token.
func SignalName(sig syscall.Signal) string {
	if name, ok := signalNames[sig]; ok {
		return name
	}
	return "SIG" + strconv.Itoa(int(sig))
}

// ParseSignal accepts "SIGTERM", "TERM", "term" or "15", like docker's
// --stop-signal.
func ParseSignal(s string) (syscall.Signal, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, false
		}
		return syscall.Signal(n), true
	}
	if !strings.HasPrefix(s, "SIG") {
		s = "SIG" + s
	}
	for sig, name := range signalNames {
		if name == s {
			return sig, true
		}
	}
	return 0, false
}

// exitCode turns a wait status into the code a shell (and docker) would
// report: the exit status, or 128 + the signal number.
func exitCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
