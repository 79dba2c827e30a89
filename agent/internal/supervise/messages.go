package supervise

import (
	"io"
	"strconv"
	"strings"
	"syscall"

	"pitstop/agent/internal/control"
)

// Prefix starts every line the supervisor writes. pitstop parses these lines
// out of the container's log stream, so each message is exactly one line,
// written with one write call (no interleaving with the child's output).
const Prefix = "pitstop-supervisor: "

type messenger struct{ w io.Writer }

func (m messenger) say(msg string) {
	m.w.Write(Line(msg))
}

// Line formats one supervisor line, for the stdin protocol's replies too.
func Line(msg string) []byte {
	return []byte(Prefix + oneLine(msg) + "\n")
}

func (m messenger) started(pid int) { m.say("started pid=" + strconv.Itoa(pid)) }

func (m messenger) exited(ws syscall.WaitStatus) {
	if ws.Signaled() {
		m.say("exited signal=" + SignalName(ws.Signal()))
		return
	}
	m.say("exited code=" + strconv.Itoa(ws.ExitStatus()))
}

func (m messenger) startFailed(err error) { m.say("start failed: " + err.Error()) }

func (m messenger) applied(o control.Outcome) {
	seq := strconv.FormatInt(o.Seq, 10)
	if o.OK() {
		m.say("applied seq=" + seq + " ok")
		return
	}
	m.say("applied seq=" + seq + " failed: " + o.Errors[0])
}

// oneLine keeps a message on one line even when it quotes a file name or an
// error containing control characters.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
