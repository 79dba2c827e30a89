package supervise

import (
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests supervise real processes: this test binary re-executed with
// SUPERVISE_TEST_CHILD set behaves as one of the children below. A child says
// "ready <pid> [detail]" on stdout once its signal handling is in place, so a
// test never signals it too early.
const childEnv = "SUPERVISE_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		runChild(mode)
		os.Exit(99) // modes exit themselves
	}
	// Orphaned grandchildren must come back to this process, as they would
	// to the supervisor running as PID 1.
	if err := BecomeSubreaper(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func ready(detail string) {
	os.Stdout.WriteString("ready " + strconv.Itoa(os.Getpid()) + " " + detail + "\n")
}

// spawnSelf starts this binary again in another child mode, in our process
// group (the default), and returns its pid.
func spawnSelf(mode string) int {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, childEnv+"=") {
			env = append(env, kv) // the first of duplicate keys would win
		}
	}
	env = append(env, childEnv+"="+mode)
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	defer null.Close()
	pid, err := syscall.ForkExec(os.Args[0], []string{os.Args[0]}, &syscall.ProcAttr{Env: env, Files: []uintptr{0, null.Fd(), 2}})
	if err != nil {
		panic(err)
	}
	return pid
}

func runChild(mode string) {
	name, arg, _ := strings.Cut(mode, "=")
	switch name {
	case "serve": // runs until a signal's default action ends it
		ready("")
		block()
	case "term-exit": // exits with the given code on SIGTERM
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		ready("")
		<-c
		os.Exit(atoi(arg))
	case "hup-reload": // says "reloaded" on each SIGHUP and keeps running
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGHUP)
		ready("")
		for range c {
			ready("reloaded")
		}
	case "exit-on-winch":
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGWINCH)
		ready("")
		<-c
		os.Exit(5)
	case "ignore-term":
		signal.Ignore(syscall.SIGTERM)
		ready("")
		block()
	case "exit": // exits at once with the given code
		os.Exit(atoi(arg))
	case "kill-self":
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		block()
	case "grandchild-ignores-term": // leaves a TERM-proof grandchild behind
		g := spawnSelf("ignore-term")
		time.Sleep(100 * time.Millisecond) // let it install its handler
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		ready(strconv.Itoa(g))
		<-c
		os.Exit(0)
	case "orphan": // exits at once, leaving a grandchild that exits soon after
		g := spawnSelf("sleep-exit=100")
		ready(strconv.Itoa(g))
		os.Exit(0)
	case "sleep-exit":
		time.Sleep(time.Duration(atoi(arg)) * time.Millisecond)
		os.Exit(0)
	case "report-file": // says whether a file exists, then serves
		_, err := os.Stat(arg)
		ready("exists=" + strconv.FormatBool(err == nil))
		block()
	}
	os.Stderr.WriteString("unknown child mode " + mode + "\n")
	os.Exit(98)
}

// block waits forever; a bare select{} would trip the runtime's deadlock
// detector in a child that has no other goroutine.
func block() {
	for {
		time.Sleep(time.Hour)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}
