package supervise

import (
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRestartReplacesTheChild(t *testing.T) {
	h := run(t, childConfig("term-exit=0"))
	first := h.expectStarted()
	h.ready()
	h.send(syscall.SIGUSR1)
	second := h.expectStarted() // and no "exited" line: a restart is not a crash
	if second == first {
		t.Fatalf("same pid %d after restart", first)
	}
	if pid, _ := h.ready(); pid != second {
		t.Fatalf("ready pid %d, started pid %d", pid, second)
	}
	if !gone(first) {
		t.Fatalf("old child %d still exists (zombie or running)", first)
	}
}

// TestRestartTime measures SIGUSR1 -> new child started, with a child that
// exits promptly on SIGTERM. The supervisor adds no sleeps; what remains is
// the child's own exit and fork/exec.
func TestRestartTime(t *testing.T) {
	h := run(t, childConfig("term-exit=0"))
	h.expectStarted()
	h.ready()
	var took []time.Duration
	for i := 0; i < 20; i++ {
		start := time.Now()
		h.send(syscall.SIGUSR1)
		h.expectStarted()
		took = append(took, time.Since(start))
		h.ready()
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	t.Logf("SIGUSR1 -> started: min %v, median %v, max %v", took[0], took[len(took)/2], took[len(took)-1])
	if took[len(took)/2] > 100*time.Millisecond {
		t.Fatalf("median restart %v, want well under 100ms", took[len(took)/2])
	}
}

func TestChildExitKeepsSupervisorUp(t *testing.T) {
	h := run(t, childConfig("exit=3"))
	h.expectStarted()
	h.expect("exited code=3")
	h.stillRunning(100 * time.Millisecond)
	h.send(syscall.SIGUSR1) // "the fix is in: start it again"
	h.expectStarted()
	h.expect("exited code=3")
}

func TestChildKilledBySignalIsNamed(t *testing.T) {
	h := run(t, childConfig("kill-self"))
	h.expectStarted()
	h.expect("exited signal=SIGKILL")
	h.stillRunning(50 * time.Millisecond)
}

func TestExitWithChild(t *testing.T) {
	cfg := childConfig("exit=7")
	cfg.ExitWithChild = true
	h := run(t, cfg)
	h.expectStarted()
	h.expect("exited code=7")
	if code := h.exitCode(); code != 7 {
		t.Fatalf("exit code %d, want 7", code)
	}
}

func TestStopSignalIsForwardedAndChildCodeReturned(t *testing.T) {
	cases := []struct {
		mode string
		sig  syscall.Signal
		want int
	}{
		{"term-exit=42", syscall.SIGTERM, 42},
		{"serve", syscall.SIGTERM, 128 + 15},
		{"serve", syscall.SIGINT, 128 + 2},
		{"serve", syscall.SIGHUP, 128 + 1},
	}
	for _, c := range cases {
		t.Run(c.mode+"/"+SignalName(c.sig), func(t *testing.T) {
			h := run(t, childConfig(c.mode))
			pid := h.expectStarted()
			h.ready()
			h.send(c.sig)
			if code := h.exitCode(); code != c.want {
				t.Fatalf("exit code %d, want %d", code, c.want)
			}
			h.noMessage(20 * time.Millisecond) // no "exited" line on a stop
			waitGone(t, pid)
		})
	}
}

func TestStopWhileIdleExitsAtOnceWithLastCode(t *testing.T) {
	h := run(t, childConfig("exit=3"))
	h.expectStarted()
	h.expect("exited code=3")
	h.send(syscall.SIGTERM)
	if code := h.exitCode(); code != 3 {
		t.Fatalf("exit code %d, want 3", code)
	}
}

func TestRestartEscalatesToSIGKILL(t *testing.T) {
	cfg := childConfig("ignore-term")
	cfg.StopTimeout = 200 * time.Millisecond
	h := run(t, cfg)
	first := h.expectStarted()
	h.ready()
	start := time.Now()
	h.send(syscall.SIGUSR1)
	h.expectStarted()
	took := time.Since(start)
	if took < 200*time.Millisecond || took > 2*time.Second {
		t.Fatalf("restart took %v, want just over the 200ms stop timeout", took)
	}
	if !gone(first) {
		t.Fatalf("old child %d survived", first)
	}
}

func TestRestartWithZeroTimeoutKillsAtOnce(t *testing.T) {
	cfg := childConfig("ignore-term")
	cfg.StopTimeout = 0
	h := run(t, cfg)
	h.expectStarted()
	h.ready()
	start := time.Now()
	h.send(syscall.SIGUSR1)
	h.expectStarted()
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Fatalf("restart took %v", took)
	}
}

func TestCustomStopSignal(t *testing.T) {
	cfg := childConfig("ignore-term")
	cfg.StopSignal = syscall.SIGINT // the child ignores only SIGTERM
	cfg.StopTimeout = 5 * time.Second
	h := run(t, cfg)
	h.expectStarted()
	h.ready()
	start := time.Now()
	h.send(syscall.SIGUSR1)
	h.expectStarted()
	if took := time.Since(start); took > time.Second {
		t.Fatalf("restart took %v: the stop signal was not SIGINT", took)
	}
}

// A grandchild that ignores SIGTERM could keep the service's port; the
// restart must wait for the whole group, killing it after the timeout.
func TestRestartWaitsForTheWholeGroup(t *testing.T) {
	cfg := childConfig("grandchild-ignores-term")
	cfg.StopTimeout = 300 * time.Millisecond
	h := run(t, cfg)
	h.expectStarted()
	_, detail := h.ready()
	grandchild := atoi(detail)
	t.Cleanup(func() { syscall.Kill(grandchild, syscall.SIGKILL) }) // even if the test fails
	start := time.Now()
	h.send(syscall.SIGUSR1)
	h.expectStarted()
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Fatalf("restarted after %v, before the grandchild was gone", took)
	}
	if !gone(grandchild) {
		t.Fatalf("grandchild %d still exists", grandchild)
	}
}

func TestOrphansAreReaped(t *testing.T) {
	h := run(t, childConfig("orphan"))
	h.expectStarted()
	_, detail := h.ready()
	h.expect("exited code=0")
	// The grandchild exits 100ms later, re-parented to us; without reaping it
	// would stay a zombie forever.
	waitGone(t, atoi(detail))
}

func TestControlFilesAppliedBeforeRestartAndOnUSR2(t *testing.T) {
	dir := t.TempDir()
	marker := dir + "/marker"
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := childConfig("report-file=" + marker)
	cfg.ControlDir = dir + "/control"
	h := run(t, cfg)
	first := h.expectStarted()
	if _, d := h.ready(); d != "exists=true" {
		t.Fatalf("first child saw %s", d)
	}

	writeControl(t, cfg.ControlDir, 1, `{"delete": ["`+marker+`"]}`)
	h.send(syscall.SIGUSR1)
	h.expect("applied seq=1 ok") // before the start, so the new child sees it
	h.expectStarted()
	if _, d := h.ready(); d != "exists=false" {
		t.Fatalf("restarted child saw %s", d)
	}
	if !gone(first) {
		t.Fatal("first child still exists")
	}

	writeControl(t, cfg.ControlDir, 2, `{"verify": [{"path": "`+marker+`", "sha256": "`+zeroHash+`"}]}`)
	h.send(syscall.SIGUSR2)
	h.expect("applied seq=2 failed: verify " + marker + ": no such file or directory")
	h.noMessage(100 * time.Millisecond) // SIGUSR2 does not restart

	writeControl(t, cfg.ControlDir, 3, `not json`)
	h.send(syscall.SIGUSR2)
	h.expect("applied seq=3 failed: parse control file:")
	h.stillRunning(10 * time.Millisecond)
}

const zeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

func writeControl(t *testing.T, dir string, seq int, body string) {
	t.Helper()
	if err := os.WriteFile(dir+"/"+strconv.Itoa(seq)+".json", []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStartFailureKeepsWaiting(t *testing.T) {
	cfg := childConfig("serve")
	cfg.Command = []string{"/nonexistent/app"}
	h := run(t, cfg)
	h.expect("start failed: exec /nonexistent/app: no such file or directory")
	h.stillRunning(50 * time.Millisecond)
	h.send(syscall.SIGUSR1)
	h.expect("start failed:")
	h.send(syscall.SIGTERM)
	if code := h.exitCode(); code != 127 {
		t.Fatalf("exit code %d, want 127", code)
	}
}

func TestStartFailureWithExitWithChild(t *testing.T) {
	cfg := childConfig("serve")
	cfg.Command = []string{"no-such-command-pitstop"}
	cfg.ExitWithChild = true
	h := run(t, cfg)
	h.expect("start failed: exec no-such-command-pitstop: executable file not found in $PATH")
	if code := h.exitCode(); code != 127 {
		t.Fatalf("exit code %d, want 127", code)
	}
}

func TestSignalsDuringRestartAreCoalesced(t *testing.T) {
	h := run(t, childConfig("term-exit=0"))
	h.expectStarted()
	h.ready()
	h.send(syscall.SIGUSR1)
	h.send(syscall.SIGUSR1)
	h.send(syscall.SIGUSR1)
	h.expectStarted()
	// The extra signals may cause at most one more restart, never a crash or
	// an "exited" line.
	deadline := time.After(300 * time.Millisecond)
	for {
		select {
		case m := <-h.msgs:
			if !strings.HasPrefix(m, Prefix+"started pid=") {
				t.Fatalf("unexpected %q", m)
			}
		case <-deadline:
			return
		}
	}
}

func TestRestartAfterSIGHUPReload(t *testing.T) {
	h := run(t, childConfig("hup-reload"))
	h.expectStarted()
	h.ready()
	h.send(syscall.SIGHUP) // forwarded; this child reloads instead of exiting
	if _, d := h.ready(); d != "reloaded" {
		t.Fatalf("child said %q", d)
	}
	h.stillRunning(20 * time.Millisecond)
	h.send(syscall.SIGUSR1) // must still restart
	h.expectStarted()
}

// Only one supervisor may run at a time in this process (each reaps with
// wait4(-1)), hence the subtests, whose cleanups stop each in turn.
func TestConfiguredStopSignalStopsTheSupervisor(t *testing.T) {
	t.Run("not configured: ignored", func(t *testing.T) {
		h := run(t, childConfig("exit-on-winch"))
		h.expectStarted()
		h.ready()
		h.send(syscall.SIGWINCH)
		h.stillRunning(50 * time.Millisecond)
	})
	t.Run("configured: forwarded, exits with the child", func(t *testing.T) {
		// httpd's STOPSIGNAL: `docker stop` sends SIGWINCH to the supervisor.
		cfg := childConfig("exit-on-winch")
		cfg.StopSignal = syscall.SIGWINCH
		if got := Subscribe(cfg); got[len(got)-1] != syscall.SIGWINCH {
			t.Fatalf("Subscribe = %v, want SIGWINCH included", got)
		}
		h := run(t, cfg)
		h.expectStarted()
		h.ready()
		h.send(syscall.SIGWINCH)
		if code := h.exitCode(); code != 5 {
			t.Fatalf("exit code %d, want the child's 5", code)
		}
	})
}

func TestHoldFirstStartWaitsForTheFirstRestart(t *testing.T) {
	cfg := childConfig("term-exit=0")
	cfg.HoldFirstStart = true
	cfg.ControlDir = t.TempDir()
	h := run(t, cfg)
	h.expect("holding the first start")
	h.stillRunning(100 * time.Millisecond)
	select {
	case line := <-h.out:
		t.Fatalf("the child ran before it was asked for: %q", line)
	default:
	}
	h.send(syscall.SIGUSR1)
	pid := h.expectStarted()
	if ready, _ := h.ready(); ready != pid {
		t.Fatalf("ready pid %d, started pid %d", ready, pid)
	}
}

func TestOnlyTheContainersFirstStartHolds(t *testing.T) {
	cfg := childConfig("term-exit=0")
	cfg.HoldFirstStart = true
	cfg.ControlDir = t.TempDir()
	if !New(cfg, io.Discard).hold() {
		t.Fatal("the first start did not hold")
	}
	// The container restarted: its writable layer keeps the marker.
	if New(cfg, io.Discard).hold() {
		t.Fatal("a later start held too")
	}
	cfg.ControlDir = ""
	if New(cfg, io.Discard).hold() {
		t.Fatal("held with nowhere to keep the marker")
	}
}
