package supervise

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	cfg, warnings := FromEnv([]string{"/app/api", "-v"}, []string{
		"PATH=/bin", "PITSTOP_STOP_TIMEOUT_MS=250", "PITSTOP_STOP_SIGNAL=int",
		"PITSTOP_EXIT_WITH_CHILD=1", "PITSTOP_CONTROL_DIR=/tmp/ctl", "APP=1",
	}, "/.pitstop/control")
	if len(warnings) != 0 {
		t.Fatalf("warnings: %q", warnings)
	}
	if cfg.StopTimeout != 250*time.Millisecond || cfg.StopSignal != syscall.SIGINT || !cfg.ExitWithChild || cfg.ControlDir != "/tmp/ctl" {
		t.Fatalf("config = %+v", cfg)
	}
	// The supervisor's own knobs are not passed on to the service.
	if strings.Join(cfg.Env, " ") != "PATH=/bin APP=1" {
		t.Fatalf("child env = %q", cfg.Env)
	}

	cfg, warnings = FromEnv([]string{"x"}, []string{"PITSTOP_STOP_TIMEOUT_MS=soon", "PITSTOP_STOP_SIGNAL=SIGNOPE", "PITSTOP_EXIT_WITH_CHILD=0"}, "/.pitstop/control")
	if len(warnings) != 2 || cfg.StopTimeout != 5*time.Second || cfg.StopSignal != syscall.SIGTERM || cfg.ExitWithChild || cfg.ControlDir != "/.pitstop/control" {
		t.Fatalf("defaults not kept: %+v, warnings %q", cfg, warnings)
	}
}

func TestSignalNames(t *testing.T) {
	for in, want := range map[string]syscall.Signal{"SIGTERM": syscall.SIGTERM, "term": syscall.SIGTERM, " 9 ": syscall.SIGKILL, "SIGUSR1": syscall.SIGUSR1, "quit": syscall.SIGQUIT} {
		if got, ok := ParseSignal(in); !ok || got != want {
			t.Errorf("ParseSignal(%q) = %v, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "0", "65", "-1", "SIG", "NOPE"} {
		if _, ok := ParseSignal(bad); ok {
			t.Errorf("ParseSignal(%q) accepted", bad)
		}
	}
	if SignalName(syscall.SIGSEGV) != "SIGSEGV" || SignalName(syscall.Signal(40)) != "SIG40" {
		t.Fatal("SignalName")
	}
}

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/tool", []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(dir+"/data", []byte("x"), 0o644)
	os.Mkdir(dir+"/sub", 0o755)
	if p, err := lookPath("tool", "/nonexistent:"+dir); err != nil || p != dir+"/tool" {
		t.Fatalf("lookPath(tool) = %q, %v", p, err)
	}
	for _, name := range []string{"data", "sub", "missing"} {
		if _, err := lookPath(name, dir); err == nil || startFailureCode(err) != 127 {
			t.Errorf("lookPath(%s) = %v, want not found (127)", name, err)
		}
	}
	if p, _ := lookPath("./rel/x", ""); p != "./rel/x" {
		t.Fatalf("names with a slash are used as they are, got %q", p)
	}
}
