// Package stdinproto serves pitstop's update protocol on the supervisor's
// stdin: file writes, deletes and restarts sent over one long-lived docker
// attach connection, answered with "ack" lines on stderr. This avoids the
// per-update cost of the archive API (a docker-untar process per upload)
// and of /kill. See agent/README.md for the wire format.
package stdinproto

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"syscall"

	"pitstop/agent/internal/supervise"
)

// Child is what the protocol needs from the supervisor; *supervise.Supervisor
// implements it, safely from another goroutine.
type Child interface {
	PID() int
	Restart() (int, error)
	Signal(sig syscall.Signal) error
}

// copyBufferSize bounds the memory a payload costs: it is streamed to disk
// in chunks of this size, never held whole.
const copyBufferSize = 256 << 10

type server struct {
	in      *bufio.Reader
	out     io.Writer
	child   Child
	version string
	buf     []byte // reused for every payload copy
	eof     bool   // input ended (or failed) inside a frame
}

// Serve reads frames from in until it ends, one at a time and in order, and
// writes one reply line per frame to out with a single Write (out is shared
// with the supervisor's other lines and the child's stderr). It returns at
// end of input; the supervisor keeps running without it.
func Serve(in io.Reader, out io.Writer, child Child, version string) {
	s := &server{
		in:      bufio.NewReaderSize(in, MaxHeader),
		out:     out,
		child:   child,
		version: version,
		buf:     make([]byte, copyBufferSize),
	}
	for !s.eof {
		s.next()
	}
}

// next reads and carries out one frame.
func (s *server) next() {
	line, err := s.in.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		for err == bufio.ErrBufferFull { // skip the rest of the line
			_, err = s.in.ReadSlice('\n')
		}
		s.eof = err != nil
		s.reply(0, "", errors.New("malformed header: longer than "+strconv.Itoa(MaxHeader)+" bytes"))
		return
	}
	if err != nil {
		s.eof = true
		if err != io.EOF {
			s.out.Write(supervise.Line("stdin: " + err.Error() + "; no more frames"))
		}
		if len(bytes.TrimSpace(line)) > 0 {
			s.reply(0, "", errors.New("malformed header: input ended before its newline"))
		}
		return
	}
	if len(bytes.TrimSpace(line)) == 0 {
		// Blank lines are no frames and get no reply. pitstop can send a run
		// of newlines to finish a payload cut short by a dropped connection
		// (see README: resynchronising) without causing stray replies.
		return
	}
	f := parse(line) // line is only valid until the next read
	if f.err != nil {
		s.skip(f.size)
		s.reply(f.seq, "", f.err)
		return
	}
	result, err := s.do(f)
	s.reply(f.seq, result, err)
}

func (s *server) do(f frame) (string, error) {
	h := &f.h
	switch h.Op {
	case "hello":
		return "version=" + s.version + " pid=" + strconv.Itoa(s.child.PID()), nil
	case "write":
		return "", s.write(f)
	case "patch":
		return "", s.patch(f)
	case "symlink":
		if err := prepareInside(h.Root, h.Path, true); err != nil {
			return "", err
		}
		return "", symlink(h.Path, h.Target, f.seq)
	case "mkdir":
		if err := prepareInside(h.Root, h.Path, false); err != nil {
			return "", err
		}
		return "", mkdir(h.Path, h.Mode)
	case "delete":
		var inside []string
		for _, p := range h.Paths {
			// Behind a symlink is not the mirror: "deleting" there would reach outside root.
			if reachableInside(h.Root, p) {
				inside = append(inside, p)
			}
		}
		return "", remove(inside)
	case "hash":
		return hashes(h.Paths)
	case "restart":
		pid, err := s.child.Restart()
		if err != nil {
			return "", err
		}
		return "pid=" + strconv.Itoa(pid), nil
	case "signal":
		sig, ok := supervise.ParseSignal(h.Signal)
		if !ok {
			return "", errors.New("unknown signal " + strconv.Quote(h.Signal))
		}
		return "", s.child.Signal(sig)
	}
	return "", errors.New("unknown op " + strconv.Quote(h.Op)) // parse refuses these already
}

// skip discards a payload that will not be used, keeping the stream in step.
func (s *server) skip(n int64) {
	if n <= 0 {
		return
	}
	if got, _ := io.CopyBuffer(io.Discard, io.LimitReader(s.in, n), s.buf); got < n {
		s.eof = true
	}
}

// reply writes "ack seq=<n> ok[ <result>]" or "ack seq=<n> failed: <reason>".
func (s *server) reply(seq int64, result string, err error) {
	msg := "ack seq=" + strconv.FormatInt(seq, 10)
	switch {
	case err != nil:
		msg += " failed: " + err.Error()
	case result != "":
		msg += " ok " + result
	default:
		msg += " ok"
	}
	s.out.Write(supervise.Line(msg))
}
