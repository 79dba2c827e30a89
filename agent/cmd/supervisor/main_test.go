package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// This test binary doubles as the supervisor (PITSTOP_TEST_AS=supervisor) and
// as its child ("test-child" as first argument), so the wiring in main —
// signal subscription, environment, stdio — is tested with real signals
// between real processes.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "test-child" {
		testChild()
	}
	if os.Getenv("PITSTOP_TEST_AS") == "supervisor" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// testChild writes to stdout and stderr, reports whether the supervisor's
// knobs leaked into its environment, and exits 42 on SIGTERM.
func testChild() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM)
	os.Stdout.WriteString("child stdout line\n")
	os.Stderr.WriteString("child stderr line\n")
	os.Stdout.WriteString("env timeout=" + os.Getenv("PITSTOP_STOP_TIMEOUT_MS") + "\n")
	// The supervisor's stdin carries the protocol; the child must get
	// /dev/null (immediate end of input), never that pipe.
	n, _ := io.Copy(io.Discard, os.Stdin)
	os.Stdout.WriteString("stdin bytes=" + strconv.FormatInt(n, 10) + "\n")
	<-c
	os.Exit(42)
}

func TestVersionAndUsage(t *testing.T) {
	r, w, _ := os.Pipe()
	stdout := os.Stdout
	os.Stdout = w
	code := run([]string{"version"})
	os.Stdout = stdout
	w.Close()
	got, _ := io.ReadAll(r)
	if code != 0 || string(got) != "pitstop-supervisor "+Version+"\n" {
		t.Fatalf("version: code %d, output %q", code, got)
	}

	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "PITSTOP_TEST_AS=supervisor")
	if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != 2 {
		t.Fatalf("no command: %v, want exit 2", err)
	}
}

func TestSupervisorProcess(t *testing.T) {
	ctl := t.TempDir()
	cmd := exec.Command(os.Args[0], "--", os.Args[0], "test-child")
	cmd.Env = append(os.Environ(), "PITSTOP_TEST_AS=supervisor", "PITSTOP_CONTROL_DIR="+ctl, "PITSTOP_STOP_TIMEOUT_MS=3000")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	outLines, errLines := lines(stdout), lines(stderr)
	expect := func(ch <-chan string, want string) string {
		t.Helper()
		select {
		case l := <-ch:
			if !strings.HasPrefix(l, want) {
				t.Fatalf("got line %q, want %q", l, want)
			}
			return l
		case <-time.After(10 * time.Second):
			t.Fatalf("no line %q", want)
		}
		return ""
	}
	// The child may write before the supervisor prints "started": accept
	// both lines in either order and return the "started" one.
	expectStart := func() string {
		t.Helper()
		var started string
		for _, l := range []string{expect(errLines, ""), expect(errLines, "")} {
			switch {
			case strings.HasPrefix(l, "pitstop-supervisor: started pid="):
				started = l
			case l != "child stderr line":
				t.Fatalf("unexpected line %q", l)
			}
		}
		if started == "" {
			t.Fatal("no started line")
		}
		return started
	}
	signal := func(sig syscall.Signal) {
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
	}

	// The child's output reaches the same stdout/stderr, unchanged, and the
	// supervisor's knobs are not in the child's environment.
	first := expectStart()
	expect(outLines, "child stdout line")
	if l := expect(outLines, "env timeout="); l != "env timeout=" {
		t.Fatalf("supervisor setting leaked into the child: %q", l)
	}
	expect(outLines, "stdin bytes=0")

	signal(syscall.SIGUSR1)
	if second := expectStart(); first == second {
		t.Fatal("pid did not change on restart")
	}

	if err := os.WriteFile(ctl+"/5.json", []byte(`{"seq": 5, "delete": ["`+ctl+`/gone"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(ctl+"/gone", nil, 0o644)
	signal(syscall.SIGUSR2)
	expect(errLines, "pitstop-supervisor: applied seq=5 ok")
	if _, err := os.Stat(ctl + "/gone"); !os.IsNotExist(err) {
		t.Fatalf("delete not applied: %v", err)
	}

	// The stdin protocol: the reply to restart comes after the new child's
	// "started" line (the child's own stderr line may come anywhere).
	stdin.Write([]byte(`{"op":"hello","seq":1}` + "\n"))
	hello := expect(errLines, "pitstop-supervisor: ack seq=1 ok version="+Version+" pid=")
	stdin.Write([]byte(`{"op":"restart","seq":2}` + "\n"))
	var got []string
	for len(got) < 2 {
		if l := expect(errLines, ""); l != "child stderr line" {
			got = append(got, l)
		}
	}
	newPid := strings.TrimPrefix(got[0], "pitstop-supervisor: started pid=")
	if got[1] != "pitstop-supervisor: ack seq=2 ok pid="+newPid || strings.HasSuffix(hello, "pid="+newPid) {
		t.Fatalf("after hello %q, restart gave %q", hello, got)
	}
	// The second and the third child's lines: once the third has written
	// its last one, it handles SIGTERM.
	for _, want := range []string{"child stdout line", "env timeout=", "stdin bytes=0", "child stdout line", "env timeout=", "stdin bytes=0"} {
		expect(outLines, want)
	}
	stdin.Close() // end of input: the supervisor keeps running

	signal(syscall.SIGTERM)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 42 {
		t.Fatalf("supervisor exited %d (%v), want the child's 42", code, err)
	}
}

func lines(r io.Reader) <-chan string {
	ch := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}
