// Command supervisor is pitstop's in-container entrypoint. pitstop uploads it
// to /.pitstop/supervisor and runs the container as
//
//	/.pitstop/supervisor -- <original entrypoint and cmd...>
//
// so it can restart the service's process (SIGUSR1, or a frame on its stdin)
// without restarting the container, in any image, including FROM scratch.
// See agent/README.md.
package main

import (
	"os"
	"os/signal"

	"pitstop/agent/internal/control"
	"pitstop/agent/internal/stdinproto"
	"pitstop/agent/internal/supervise"
)

// Version identifies the supervisor and its contract; build.sh may override
// it with -ldflags "-X main.Version=...".
var Version = "0.1.0"

const usage = "usage: supervisor -- command [args...]\n       supervisor version\n"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && (args[0] == "version" || args[0] == "--version") {
		os.Stdout.WriteString("pitstop-supervisor " + Version + "\n")
		return 0
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		os.Stderr.WriteString(usage)
		return 2
	}

	cfg, warnings := supervise.FromEnv(args, os.Environ(), control.Dir)
	stdinFd, serveStdin, warning := childStdin()
	cfg.Stdio[0] = stdinFd
	if warning != "" {
		warnings = append(warnings, warning)
	}

	// Subscribe before the child exists so its SIGCHLD cannot be missed. The
	// buffer is generous so a burst of SIGUSR1/SIGUSR2 is not dropped while a
	// restart is in progress.
	sigs := make(chan os.Signal, 64)
	for _, sig := range supervise.Subscribe(cfg) {
		signal.Notify(sigs, sig)
	}
	s := supervise.New(cfg, os.Stderr)
	for _, w := range warnings {
		s.Say(w)
	}
	if err := supervise.BecomeSubreaper(); err != nil && os.Getpid() != 1 {
		s.Say("cannot become child subreaper: " + err.Error())
	}
	if serveStdin {
		// Its own goroutine: a frame waits for a restart or a large payload
		// without holding up signals, reaping or control files.
		go stdinproto.Serve(os.Stdin, os.Stderr, s, Version)
	}
	return s.Run(sigs)
}
