package supervise

import (
	"errors"
	"syscall"
)

// The stdin protocol runs on its own goroutine but must see and change the
// child's state, which belongs to Run's goroutine. So it sends a command and
// waits for Run to answer, instead of sharing state under a lock.

type commandKind int

const (
	cmdPID commandKind = iota
	cmdRestart
	cmdSignal
)

type command struct {
	kind  commandKind
	sig   syscall.Signal
	reply chan commandResult // buffered: Run never blocks on answering
}

type commandResult struct {
	pid int
	err error
}

var (
	errExiting  = errors.New("supervisor is exiting")
	errStopping = errors.New("supervisor is stopping")
	errNoChild  = errors.New("no child running")
)

// PID returns the running child's pid, 0 when none. Safe from any goroutine.
func (s *Supervisor) PID() int {
	return s.call(command{kind: cmdPID}).pid
}

// Restart does what SIGUSR1 does and returns once the new child has started
// (or failed to), with its pid. A restart already under way is joined, not
// repeated. Safe from any goroutine.
func (s *Supervisor) Restart() (int, error) {
	r := s.call(command{kind: cmdRestart})
	return r.pid, r.err
}

// Signal sends sig to the child's process group. Unlike a signal to the
// supervisor itself it never makes the supervisor exit: a child that dies of
// it is reported as "exited" and waits for a restart. Safe from any goroutine.
func (s *Supervisor) Signal(sig syscall.Signal) error {
	return s.call(command{kind: cmdSignal, sig: sig}).err
}

func (s *Supervisor) call(c command) commandResult {
	c.reply = make(chan commandResult, 1)
	select {
	case s.cmds <- c:
	case <-s.finished:
		return commandResult{err: errExiting}
	}
	// Run answers every command it received, at the latest when it returns.
	return <-c.reply
}

// onCommand runs on Run's goroutine.
func (s *Supervisor) onCommand(c command) {
	switch c.kind {
	case cmdPID:
		c.reply <- commandResult{pid: s.pid}
	case cmdSignal:
		if s.pid == 0 && !groupAlive(s.pgid) {
			c.reply <- commandResult{err: errNoChild}
			return
		}
		signalGroup(s.pgid, s.pid, c.sig)
		c.reply <- commandResult{pid: s.pid}
	case cmdRestart:
		s.waiters = append(s.waiters, c.reply)
		s.onRestart()
		if !s.restarting && !s.done {
			// onRestart neither finished a restart (that answers the
			// waiters) nor began one: the supervisor is stopping.
			s.answerRestarts(0, errStopping)
		}
	}
}

// answerRestarts tells every waiting Restart call how the start went.
func (s *Supervisor) answerRestarts(pid int, err error) {
	for _, w := range s.waiters {
		w <- commandResult{pid: pid, err: err}
	}
	s.waiters = nil
}
