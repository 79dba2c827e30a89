package supervise

import (
	"syscall"
	"testing"
	"time"
)

func TestRestartCommandAnswersWithTheNewChild(t *testing.T) {
	h := run(t, childConfig("term-exit=0"))
	first := h.expectStarted()
	h.ready()
	if pid := h.s.PID(); pid != first {
		t.Fatalf("PID() = %d, want %d", pid, first)
	}
	pid, err := h.s.Restart()
	if err != nil || pid == first {
		t.Fatalf("Restart() = %d, %v", pid, err)
	}
	if started := h.expectStarted(); started != pid {
		t.Fatalf("started %d, Restart said %d", started, pid)
	}
	if !gone(first) {
		t.Fatal("old child still exists")
	}
}

// A Restart during a SIGUSR1 restart joins it: one new child, and the call
// returns its pid.
func TestRestartCommandJoinsARestartUnderWay(t *testing.T) {
	cfg := childConfig("ignore-term")
	cfg.StopTimeout = 200 * time.Millisecond
	h := run(t, cfg)
	h.expectStarted()
	h.ready()
	h.send(syscall.SIGUSR1)
	time.Sleep(50 * time.Millisecond) // the restart is waiting for the stop timeout
	pid, err := h.s.Restart()
	if err != nil {
		t.Fatal(err)
	}
	if started := h.expectStarted(); started != pid {
		t.Fatalf("started %d, Restart said %d", started, pid)
	}
	h.noMessage(300 * time.Millisecond) // no second restart
}

func TestRestartCommandWhileStopping(t *testing.T) {
	h := run(t, childConfig("ignore-term"))
	h.expectStarted()
	h.ready()
	h.send(syscall.SIGTERM) // the child ignores it: the supervisor waits, stopping
	time.Sleep(20 * time.Millisecond)
	if _, err := h.s.Restart(); err != errStopping {
		t.Fatalf("Restart() error %v, want %v", err, errStopping)
	}
}

func TestSignalCommandDoesNotStopTheSupervisor(t *testing.T) {
	h := run(t, childConfig("hup-reload"))
	h.expectStarted()
	h.ready()
	if err := h.s.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if _, d := h.ready(); d != "reloaded" {
		t.Fatalf("child said %q", d)
	}
	// Unlike SIGHUP to the supervisor, a child killed this way is a crash
	// (the container stays up), not a stop.
	if err := h.s.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	h.expect("exited signal=SIGKILL")
	h.stillRunning(50 * time.Millisecond)
	if err := h.s.Signal(syscall.SIGHUP); err != errNoChild {
		t.Fatalf("Signal with no child: %v", err)
	}
	if pid := h.s.PID(); pid != 0 {
		t.Fatalf("PID() = %d with no child", pid)
	}
}

func TestCommandsAfterExit(t *testing.T) {
	h := run(t, childConfig("exit=0"))
	h.expectStarted()
	h.expect("exited code=0")
	h.send(syscall.SIGTERM)
	h.exitCode()
	if _, err := h.s.Restart(); err != errExiting {
		t.Fatalf("Restart() after exit: %v", err)
	}
}
