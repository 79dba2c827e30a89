package stdinproto

import (
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"pitstop/agent/internal/supervise"
)

// TestRestartWithARealSupervisor drives a real supervisor with a real child
// (sleep): the reply to restart carries the new child's pid and comes only
// once it has started.
func TestRestartWithARealSupervisor(t *testing.T) {
	sleep, err := lookSleep()
	if err != nil {
		t.Skip(err)
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	cfg, _ := supervise.FromEnv([]string{sleep, "1000"}, os.Environ(), "")
	cfg.StopTimeout = 2 * time.Second
	cfg.Stdio = []uintptr{null.Fd(), 1, 2}

	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, syscall.SIGCHLD)
	defer signal.Stop(sigs)
	msgs := make(chan string, 100)
	sup := supervise.New(cfg, lineWriter{t, msgs})
	exited := make(chan int)
	go func() { exited <- sup.Run(sigs) }()
	stopped := false
	stop := func() {
		stopped = true
		sigs <- syscall.SIGTERM
		select {
		case <-exited:
		case <-time.After(waitLimit):
			t.Fatal("supervisor did not exit")
		}
	}
	defer func() {
		if !stopped {
			stop()
		}
	}()
	first := pidFrom(t, waitMsg(t, msgs, "started pid="))

	s := serve(t, sup)
	s.send(`{"op":"hello","seq":1}`)
	s.expect("ack seq=1 ok version=test pid=" + strconv.Itoa(first))

	d := t.TempDir()
	s.send(writeHeader(2, d+"/f", 2, ""), []byte("v2"))
	s.send(`{"op":"restart","seq":3}`)
	s.expect("ack seq=2 ok")
	reply := s.expectPrefix("ack seq=3 ok pid=")
	second := pidFrom(t, reply)
	if second == first || second <= 0 {
		t.Fatalf("restart reply %q, first child %d", reply, first)
	}
	if started := pidFrom(t, waitMsg(t, msgs, "started pid=")); started != second {
		t.Fatalf("supervisor started %d, reply said %d", started, second)
	}
	if syscall.Kill(first, 0) != syscall.ESRCH {
		t.Fatalf("first child %d still exists", first)
	}
	if syscall.Kill(second, 0) != nil {
		t.Fatalf("new child %d is not running", second)
	}

	// A child that died is simply started again.
	s.send(`{"op":"signal","seq":4,"signal":"SIGKILL"}`)
	s.expect("ack seq=4 ok")
	waitMsg(t, msgs, "exited signal=SIGKILL")
	s.send(`{"op":"hello","seq":5}`)
	s.expect("ack seq=5 ok version=test pid=0")
	s.send(`{"op":"signal","seq":6,"signal":"SIGHUP"}`)
	s.expect("ack seq=6 failed: no child running")
	s.send(`{"op":"restart","seq":7}`)
	third := pidFrom(t, s.expectPrefix("ack seq=7 ok pid="))
	if third == second || syscall.Kill(third, 0) != nil {
		t.Fatalf("third child %d", third)
	}
	waitMsg(t, msgs, "started pid=")

	// Once the supervisor has exited, requests fail instead of hanging.
	stop()
	s.send(`{"op":"restart","seq":8}`)
	s.expect("ack seq=8 failed: supervisor is exiting")
}

// TestRestartReportsStartFailure: a command that cannot start is a failed
// restart, and the supervisor keeps waiting for the next one.
func TestRestartReportsStartFailure(t *testing.T) {
	cfg, _ := supervise.FromEnv([]string{"/nonexistent/app"}, os.Environ(), "")
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, syscall.SIGCHLD)
	defer signal.Stop(sigs)
	msgs := make(chan string, 100)
	sup := supervise.New(cfg, lineWriter{t, msgs})
	exited := make(chan int)
	go func() { exited <- sup.Run(sigs) }()
	defer func() { sigs <- syscall.SIGTERM; <-exited }()
	waitMsg(t, msgs, "start failed:")

	s := serve(t, sup)
	s.send(`{"op":"restart","seq":1}`)
	s.expect("ack seq=1 failed: exec /nonexistent/app: no such file or directory")
	s.send(`{"op":"hello","seq":2}`)
	s.expect("ack seq=2 ok version=test pid=0")
}

func lookSleep() (string, error) {
	for _, p := range []string{"/bin/sleep", "/usr/bin/sleep"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", os.ErrNotExist
}

func waitMsg(t *testing.T, msgs chan string, prefix string) string {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case m := <-msgs:
			if strings.HasPrefix(m, prefix) {
				return m
			}
		case <-deadline:
			t.Fatalf("no supervisor line starting with %q", prefix)
		}
	}
}

// pidFrom takes the number after the last "pid=".
func pidFrom(t *testing.T, line string) int {
	t.Helper()
	i := strings.LastIndex(line, "pid=")
	n, err := strconv.Atoi(strings.Fields(line[i+4:])[0])
	if i < 0 || err != nil {
		t.Fatalf("no pid in %q", line)
	}
	return n
}
