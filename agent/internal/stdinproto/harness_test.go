package stdinproto

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pitstop/agent/internal/supervise"
)

const waitLimit = 10 * time.Second

// session runs Serve on a real pipe, as the supervisor does on its stdin.
type session struct {
	t       *testing.T
	w       *os.File
	replies chan string
	done    chan struct{}
}

// lineWriter checks the contract that every reply is one whole line written
// with one Write call.
type lineWriter struct {
	t  *testing.T
	ch chan string
}

func (w lineWriter) Write(p []byte) (int, error) {
	s := string(p)
	if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
		w.t.Errorf("a write that is not exactly one line: %q", s)
	}
	w.ch <- strings.TrimPrefix(strings.TrimSuffix(s, "\n"), supervise.Prefix)
	return len(p), nil
}

func serve(t *testing.T, child Child) *session {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, w: w, replies: make(chan string, 1000), done: make(chan struct{})}
	go func() {
		Serve(r, lineWriter{t, s.replies}, child, "test")
		r.Close()
		close(s.done)
	}()
	t.Cleanup(func() { s.close() })
	return s
}

// send writes a header line and an optional payload.
func (s *session) send(header string, payload ...[]byte) {
	s.t.Helper()
	if _, err := s.w.Write([]byte(header + "\n")); err != nil {
		s.t.Fatal(err)
	}
	for _, p := range payload {
		if _, err := s.w.Write(p); err != nil {
			s.t.Fatal(err)
		}
	}
}

// raw writes bytes as they are.
func (s *session) raw(b string) {
	s.t.Helper()
	if _, err := s.w.Write([]byte(b)); err != nil {
		s.t.Fatal(err)
	}
}

func (s *session) next() string {
	s.t.Helper()
	select {
	case r := <-s.replies:
		return r
	case <-time.After(waitLimit):
		s.t.Fatal("no reply")
	}
	return ""
}

// expect checks the next reply exactly.
func (s *session) expect(want string) {
	s.t.Helper()
	if got := s.next(); got != want {
		s.t.Fatalf("reply %q\n     want %q", got, want)
	}
}

// expectPrefix checks the next reply's start and returns the reply.
func (s *session) expectPrefix(want string) string {
	s.t.Helper()
	got := s.next()
	if !strings.HasPrefix(got, want) {
		s.t.Fatalf("reply %q\n     want it to start with %q", got, want)
	}
	return got
}

func (s *session) noReply(d time.Duration) {
	s.t.Helper()
	select {
	case r := <-s.replies:
		s.t.Fatalf("unexpected reply %q", r)
	case <-time.After(d):
	}
}

// close ends the input and waits for Serve to return.
func (s *session) close() {
	s.w.Close()
	select {
	case <-s.done:
	case <-time.After(waitLimit):
		s.t.Fatal("Serve did not return at end of input")
	}
}

// fakeChild records what the protocol asks of the supervisor.
type fakeChild struct {
	mu        sync.Mutex
	pid       int
	restarts  int
	signals   []syscall.Signal
	signalErr error
}

func (c *fakeChild) PID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pid
}

func (c *fakeChild) Restart() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.restarts++
	c.pid += 100
	return c.pid, nil
}

func (c *fakeChild) Signal(sig syscall.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.signals = append(c.signals, sig)
	return c.signalErr
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// noTempFiles fails if a ".pitstop-" temp file is left in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".pitstop-") {
			t.Errorf("temp file left behind: %s/%s", dir, e.Name())
		}
	}
}
