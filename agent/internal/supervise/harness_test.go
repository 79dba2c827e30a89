package supervise

import (
	"bufio"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const waitLimit = 10 * time.Second

// harness runs a Supervisor in-process with a real child. SIGCHLD comes from
// the kernel; the other signals are pushed into the same channel, exactly as
// signal.Notify would deliver them.
type harness struct {
	t     *testing.T
	s     *Supervisor
	sigs  chan os.Signal
	msgs  chan string   // supervisor lines as written
	out   chan string   // child stdout lines
	done  chan struct{} // closed when Run returns
	code  int           // Run's return value, once done is closed
	pipeW *os.File
}

type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimSuffix(string(p), "\n"), "\n") {
		w <- line
	}
	return len(p), nil
}

func childConfig(mode string) Config {
	cfg, _ := FromEnv([]string{os.Args[0]}, append(os.Environ(), childEnv+"="+mode), "")
	return cfg
}

// run starts a supervisor; only one may run at a time in this process, as
// each reaps every child with wait4(-1).
func run(t *testing.T, cfg Config) *harness {
	t.Helper()
	h := &harness{
		t:    t,
		sigs: make(chan os.Signal, 64),
		msgs: make(chan string, 256),
		out:  make(chan string, 256),
		done: make(chan struct{}),
	}
	signal.Notify(h.sigs, syscall.SIGCHLD)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	h.pipeW = w
	cfg.Stdio = []uintptr{0, w.Fd(), 2}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			h.out <- sc.Text()
		}
	}()
	s := New(cfg, lineWriter(h.msgs))
	h.s = s
	go func() {
		h.code = s.Run(h.sigs)
		close(h.done)
	}()
	t.Cleanup(func() {
		defer signal.Stop(h.sigs)
		select {
		case <-h.done:
		default:
			// Stop the supervisor and its child so nothing outlives the test.
			// SIGINT, because some children ignore SIGTERM.
			h.sigs <- syscall.SIGINT
			select {
			case <-h.done:
			case <-time.After(waitLimit):
				t.Error("supervisor did not exit on SIGINT")
			}
		}
		w.Close()
		r.Close()
	})
	return h
}

func (h *harness) send(sig syscall.Signal) { h.sigs <- sig }

// next returns the supervisor's next line; it fails the test after waitLimit.
func (h *harness) next() string {
	h.t.Helper()
	select {
	case m := <-h.msgs:
		return strings.TrimPrefix(m, Prefix)
	case <-time.After(waitLimit):
		h.t.Fatal("no supervisor message")
	}
	return ""
}

// expect reads the next line and checks that it starts with want.
func (h *harness) expect(want string) string {
	h.t.Helper()
	m := h.next()
	if !strings.HasPrefix(m, want) {
		h.t.Fatalf("supervisor said %q, want %q", m, want)
	}
	return m
}

// expectStarted waits for "started pid=N" and returns N.
func (h *harness) expectStarted() int {
	h.t.Helper()
	m := h.expect("started pid=")
	pid, err := strconv.Atoi(strings.TrimPrefix(m, "started pid="))
	if err != nil {
		h.t.Fatalf("bad line %q", m)
	}
	return pid
}

// ready waits for a child's "ready <pid> <detail>" line and returns them.
func (h *harness) ready() (int, string) {
	h.t.Helper()
	select {
	case line := <-h.out:
		f := strings.SplitN(line, " ", 3)
		if len(f) < 3 || f[0] != "ready" {
			h.t.Fatalf("child said %q", line)
		}
		return atoi(f[1]), f[2]
	case <-time.After(waitLimit):
		h.t.Fatal("child never became ready")
	}
	return 0, ""
}

func (h *harness) exitCode() int {
	h.t.Helper()
	select {
	case <-h.done:
		return h.code
	case <-time.After(waitLimit):
		h.t.Fatal("supervisor did not exit")
	}
	return 0
}

func (h *harness) stillRunning(d time.Duration) {
	h.t.Helper()
	select {
	case <-h.done:
		h.t.Fatalf("supervisor exited with %d, want it to keep running", h.code)
	case <-time.After(d):
	}
}

func (h *harness) noMessage(d time.Duration) {
	h.t.Helper()
	select {
	case m := <-h.msgs:
		h.t.Fatalf("unexpected supervisor message %q", m)
	case <-time.After(d):
	}
}

// gone reports whether pid no longer exists, not even as a zombie.
func gone(pid int) bool {
	return syscall.Kill(pid, 0) == syscall.ESRCH
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !gone(pid) {
		if time.Now().After(deadline) {
			state, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
			t.Fatalf("process %d still exists: %s", pid, state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
