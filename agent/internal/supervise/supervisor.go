// Package supervise runs one service process under the supervisor: it starts
// it in its own process group, restarts it on SIGUSR1, forwards stop signals,
// reaps zombies and applies control files.
//
// Everything happens on one goroutine in Run, driven by signals, one timer and
// requests from the stdin protocol (commands.go), so there is no locking and
// every state change is easy to follow.
package supervise

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"pitstop/agent/internal/control"
)

// After SIGKILL the group normally disappears at once; these bound the rare
// case where a process in the group is not our descendant (so no SIGCHLD
// tells us it died) or is stuck in the kernel.
const (
	killPollInterval = 10 * time.Millisecond
	killGiveUp       = time.Second
)

// Supervisor holds the state of the supervised child.
type Supervisor struct {
	cfg Config
	msg messenger

	pid      int // the running child, 0 when none
	pgid     int // process group of the current or last child, 0 before the first
	lastCode int // exit code of the last child, for when we must exit without one

	restarting bool      // SIGUSR1 received: stopping the group, then start again
	killedAt   time.Time // when SIGKILL was sent during this restart (zero: not yet)
	stopping   bool      // a forwarded stop signal: exit when the child exits
	stoppedBy  syscall.Signal

	timer  *time.Timer
	timerC <-chan time.Time

	cmds     chan command         // requests from other goroutines (the stdin protocol)
	waiters  []chan commandResult // restart requests answered once the new child started
	finished chan struct{}        // closed when Run returns

	done     bool
	exitCode int
}

// New creates a supervisor that writes its messages to out (stderr in main).
func New(cfg Config, out io.Writer) *Supervisor {
	return &Supervisor{cfg: cfg, msg: messenger{out}, cmds: make(chan command), finished: make(chan struct{})}
}

// Say prints a supervisor line (used by main for configuration warnings).
func (s *Supervisor) Say(msg string) { s.msg.say(msg) }

// Run applies pending control files, starts the child and then serves signals
// until the supervisor should exit; it returns the exit code. sigs must
// already be subscribed to Handled (tests may also push signals into it).
func (s *Supervisor) Run(sigs <-chan os.Signal) int {
	if s.cfg.ControlDir != "" {
		control.Prepare(s.cfg.ControlDir)
	}
	s.applyControl()
	if s.hold() {
		s.Say("holding the first start until pitstop asks for it")
	} else {
		s.start()
	}
	for !s.done {
		select {
		case sig := <-sigs:
			if sysSig, ok := sig.(syscall.Signal); ok {
				s.onSignal(sysSig)
			}
		case <-s.timerC:
			s.timerC = nil
			s.onTimer()
		case c := <-s.cmds:
			s.onCommand(c)
		}
	}
	s.stopTimer()
	s.answerRestarts(0, errExiting)
	close(s.finished)
	return s.exitCode
}

func (s *Supervisor) onSignal(sig syscall.Signal) {
	switch {
	case sig == syscall.SIGCHLD:
		s.onChildExits()
	case sig == syscall.SIGUSR1:
		s.onRestart()
	case sig == syscall.SIGUSR2:
		s.applyControl()
	case isForwarded(sig) || sig == s.cfg.StopSignal:
		// The configured stop signal counts too: docker sends the container's
		// StopSignal (e.g. SIGWINCH for httpd) to the supervisor on `docker stop`.
		s.onStop(sig)
	}
	// SIGPIPE and anything else: ignored.
}

// onChildExits reaps everything and reacts to our child's exit.
func (s *Supervisor) onChildExits() {
	for _, e := range reapAll() {
		if e.pid != s.pid || s.pid == 0 {
			continue // an orphan we inherited as PID 1/subreaper, or a straggler
		}
		s.pid = 0
		s.lastCode = exitCode(e.status)
		switch {
		case s.stopping:
			s.finish(s.lastCode)
			return
		case s.restarting:
			// expected; the restart continues below once the group is empty
		default:
			s.msg.exited(e.status)
			if s.cfg.ExitWithChild {
				s.finish(s.lastCode)
				return
			}
		}
	}
	s.continueRestart()
}

// onRestart begins a restart: stop the whole group, then (in
// continueRestart) apply control files and start again.
func (s *Supervisor) onRestart() {
	if s.stopping && s.stoppedBy == syscall.SIGHUP {
		// Many services reload on SIGHUP and keep running; a restart request
		// after that means the supervisor is not being stopped after all.
		s.stopping = false
	}
	if s.stopping || s.restarting {
		return // exiting anyway, or a restart is already on its way
	}
	s.restarting = true
	s.killedAt = time.Time{}
	if s.pid != 0 || groupAlive(s.pgid) {
		if s.cfg.StopTimeout <= 0 {
			s.kill()
		} else {
			signalGroup(s.pgid, s.pid, s.cfg.StopSignal)
			s.setTimer(s.cfg.StopTimeout)
		}
	}
	s.continueRestart()
}

// continueRestart finishes a restart once the child and every process in its
// group are gone (a leftover grandchild could still hold the service's port).
func (s *Supervisor) continueRestart() {
	if !s.restarting || s.pid != 0 || groupAlive(s.pgid) {
		return
	}
	s.restarting = false
	s.stopTimer()
	s.applyControl()
	err := s.start()
	s.answerRestarts(s.pid, err)
}

func (s *Supervisor) onTimer() {
	if !s.restarting {
		return
	}
	if s.killedAt.IsZero() {
		s.kill()
		s.continueRestart()
		return
	}
	s.continueRestart()
	if !s.restarting {
		return
	}
	if s.pid == 0 && time.Since(s.killedAt) > killGiveUp {
		// Only unreapable strays are left; do not keep the service down for them.
		s.msg.say("process group " + strconv.Itoa(s.pgid) + " did not exit after SIGKILL; starting anyway")
		s.pgid = 0
		s.continueRestart()
		return
	}
	s.setTimer(killPollInterval)
}

// kill sends SIGKILL to the group and polls for it to vanish, in case some
// member's death never reaches us as SIGCHLD.
func (s *Supervisor) kill() {
	s.killedAt = time.Now()
	signalGroup(s.pgid, s.pid, syscall.SIGKILL)
	s.setTimer(killPollInterval)
}

// onStop forwards a stop signal and exits as soon as the child has exited,
// with its code (as `docker stop` expects). With no child running there is
// nothing to wait for.
func (s *Supervisor) onStop(sig syscall.Signal) {
	s.stopping, s.stoppedBy = true, sig
	if s.pid != 0 || groupAlive(s.pgid) {
		signalGroup(s.pgid, s.pid, sig)
	}
	if s.pid == 0 {
		s.finish(s.lastCode)
	}
}

func (s *Supervisor) start() error {
	pid, err := startChild(s.cfg)
	if err != nil {
		s.msg.startFailed(err)
		s.lastCode = startFailureCode(err)
		if s.cfg.ExitWithChild {
			s.finish(s.lastCode)
		}
		return err
	}
	s.pid, s.pgid = pid, pid
	s.msg.started(pid)
	return nil
}

func (s *Supervisor) applyControl() {
	if s.cfg.ControlDir == "" {
		return
	}
	for _, o := range control.ProcessDir(s.cfg.ControlDir) {
		s.msg.applied(o)
	}
}

func (s *Supervisor) finish(code int) {
	s.done = true
	s.exitCode = code
}

func (s *Supervisor) setTimer(d time.Duration) {
	s.stopTimer()
	s.timer = time.NewTimer(d)
	s.timerC = s.timer.C
}

func (s *Supervisor) stopTimer() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.timerC = nil
}

// holdMarker records that the container's first start was held: a container
// restarted later (docker restart, the daemon coming back) starts its child at
// once, with no one there to ask for it.
const holdMarker = ".first-start-held"

// hold reports whether to wait for a restart request before the first start.
// Anything unexpected (no control dir, a marker that cannot be written) starts
// the child: a service that runs is better than one that waits forever.
func (s *Supervisor) hold() bool {
	if !s.cfg.HoldFirstStart || s.cfg.ControlDir == "" {
		return false
	}
	f, err := os.OpenFile(filepath.Join(s.cfg.ControlDir, holdMarker), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return false
	}
	f.Close()
	return true
}
