package stdinproto

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestHello(t *testing.T) {
	s := serve(t, &fakeChild{pid: 42})
	s.send(`{"op":"hello","seq":1}`)
	s.expect("ack seq=1 ok version=test pid=42")
	s.send(`{"seq":2,"op":"hello"}` + "\r") // CRLF senders work too
	s.expect("ack seq=2 ok version=test pid=42")
}

func TestMalformedHeadersAreReportedAndReadingGoesOn(t *testing.T) {
	s := serve(t, &fakeChild{})
	s.send(`not json`)
	s.expect("ack seq=0 failed: malformed header: not a JSON object")
	s.send(`null`)
	s.expect("ack seq=0 failed: malformed header: not a JSON object")
	s.send(`["op","hello"]`)
	s.expect("ack seq=0 failed: malformed header: not a JSON object")
	s.send(`{"op":"hello"}`)
	s.expect("ack seq=0 failed: missing seq: want a positive integer")
	s.send(`{"op":"hello","seq":-4}`)
	s.expect("ack seq=0 failed: missing seq: want a positive integer")
	s.send(`{"op":"hello","seq":"5"}`)
	s.expectPrefix("ack seq=0 failed: malformed header: json: cannot unmarshal string")
	s.send(`{"op":"mkdir","seq":6,"path":7}`)
	s.expectPrefix("ack seq=6 failed: malformed header: json: cannot unmarshal number")
	s.send(`{"op":"hello","seq":7`) // cut short
	s.expect("ack seq=0 failed: malformed header: not a JSON object")
	s.send(`{"op":"hello","seq":8,"pad":"` + strings.Repeat("x", MaxHeader) + `"}`)
	s.expect("ack seq=0 failed: malformed header: longer than 65536 bytes")
	s.send(`{"op":"hello","seq":9}`)
	s.expect("ack seq=9 ok version=test pid=0")
}

func TestUnknownOpsAndFieldsSkipTheirPayload(t *testing.T) {
	s := serve(t, &fakeChild{})
	// Payloads that look like frames must be skipped, not run.
	trap := []byte(`{"op":"restart","seq":99}` + "\n")
	size := strconv.Itoa(len(trap))
	s.send(`{"op":"frobnicate","seq":1,"size":`+size+`}`, trap)
	s.expect(`ack seq=1 failed: unknown op "frobnicate"`)
	s.send(`{"op":"write","seq":2,"path":"/tmp/x","size":`+size+`,"owner":"root"}`, trap)
	s.expect(`ack seq=2 failed: unknown field "owner"`)
	s.send(`{"op":"hello","seq":3,"size":`+size+`}`, trap)
	s.expect(`ack seq=3 failed: op hello takes no payload`)
	s.send(`{"op":"delete","seq":4,"paths":["/tmp/x"],"path":"/tmp/y"}`)
	s.expect(`ack seq=4 failed: unknown field "path"`)
	s.send(`{"op":"hello","seq":5,"size":-1}`)
	s.expect(`ack seq=5 failed: bad size`)
	s.send(`{"op":"hello","seq":6}`)
	s.expect("ack seq=6 ok version=test pid=0")
}

func TestBlankLinesAreIgnored(t *testing.T) {
	// How pitstop resynchronises after a dropped connection: newlines finish
	// a payload that was cut short, extra ones are harmless.
	d := t.TempDir()
	s := serve(t, &fakeChild{})
	s.send(`{"op":"write","seq":1,"path":"`+d+`/f","size":10,"sha256":"`+sum([]byte("0123456789"))+`"}`, []byte("0123"))
	s.raw(strings.Repeat("\n", 10))
	s.send(`{"op":"hello","seq":2}`)
	s.expect("ack seq=1 failed: sha256 mismatch")
	s.expect("ack seq=2 ok version=test pid=0")
	s.noReply(20 * time.Millisecond)
	if exists(d + "/f") {
		t.Fatal("the padded write was applied")
	}
}

func TestRepliesComeInOrder(t *testing.T) {
	d := t.TempDir()
	s := serve(t, &fakeChild{pid: 1})
	var all strings.Builder
	for i := 1; i <= 200; i++ {
		seq := strconv.Itoa(i)
		switch i % 4 {
		case 0:
			all.WriteString(`{"op":"write","seq":` + seq + `,"path":"` + d + `/f` + seq + `","size":3}` + "\nabc")
		case 1:
			all.WriteString(`{"op":"hash","seq":` + seq + `,"paths":["` + d + `/f` + seq + `"]}` + "\n")
		case 2:
			all.WriteString(`{"op":"bogus","seq":` + seq + "}\n")
		case 3:
			all.WriteString(`{"op":"restart","seq":` + seq + "}\n")
		}
	}
	s.raw(all.String()) // one pipelined burst, as pitstop sends it
	for i := 1; i <= 200; i++ {
		s.expectPrefix("ack seq=" + strconv.Itoa(i) + " ")
	}
}

func TestSignalAndRestartGoToTheChild(t *testing.T) {
	c := &fakeChild{pid: 7}
	s := serve(t, c)
	s.send(`{"op":"signal","seq":1,"signal":"SIGHUP"}`)
	s.expect("ack seq=1 ok")
	s.send(`{"op":"signal","seq":2,"signal":"usr2"}`)
	s.expect("ack seq=2 ok")
	s.send(`{"op":"signal","seq":3,"signal":"SIGNOPE"}`)
	s.expect(`ack seq=3 failed: unknown signal "SIGNOPE"`)
	s.send(`{"op":"signal","seq":4}`)
	s.expect(`ack seq=4 failed: unknown signal ""`)
	s.send(`{"op":"restart","seq":5}`)
	s.expect("ack seq=5 ok pid=107")
	c.mu.Lock()
	c.signalErr = errNoChildForTest
	c.mu.Unlock()
	s.send(`{"op":"signal","seq":6,"signal":"9"}`)
	s.expect("ack seq=6 failed: no child running")
	s.close()
	if len(c.signals) != 3 || c.signals[0] != syscall.SIGHUP || c.signals[1] != syscall.SIGUSR2 || c.signals[2] != syscall.SIGKILL || c.restarts != 1 {
		t.Fatalf("child saw signals %v, %d restarts", c.signals, c.restarts)
	}
}

type testError string

func (e testError) Error() string { return string(e) }

const errNoChildForTest = testError("no child running")

func TestEndOfInputInsideAHeader(t *testing.T) {
	s := serve(t, &fakeChild{})
	s.raw(`{"op":"hel`)
	s.close()
	s.expect("ack seq=0 failed: malformed header: input ended before its newline")
}
