package integration

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testStdinProtocol drives the supervisor the way pitstop does: one attach
// connection, frames in on stdin, acks back on stderr. servers holds two
// builds of the test server ("a" is running at /server).
func testStdinProtocol(t *testing.T, d *docker, ctr, url string, servers map[string][]byte, pid *string) {
	if cfg := d.run("inspect", "-f", "{{.Config.OpenStdin}} {{.Config.StdinOnce}} {{.Config.Tty}}", ctr); cfg != "true false false" {
		t.Fatalf("OpenStdin StdinOnce Tty = %s, want true false false", cfg)
	}
	a := attach(t, ctr)
	if a == nil {
		t.Skip("no local " + dockerSocket + ": the attach test needs the Engine API")
	}
	seq := 0
	next := func() string { seq++; return strconv.Itoa(seq) }

	s := next()
	a.send(line(`{"op":"hello","seq":` + s + `}`))
	if got := a.expectOK(s); !strings.HasPrefix(got, "version=") || !strings.HasSuffix(got, " pid="+*pid) {
		t.Fatalf("hello: %q, want the running child's pid %s", got, *pid)
	}

	s = next()
	a.send(line(`{"op":"hash","seq":` + s + `,"paths":["/server","/app/none"]}`))
	if got := a.expectOK(s); got != "sha256="+hexSum(servers["a"])+",-" {
		t.Fatalf("hash: %q", got)
	}

	s = next()
	a.send(writeFrame(s, "/.pitstop/supervisor", 0o755, []byte("evil"), ""))
	if got := a.ack(s); got != "failed: refused /.pitstop/supervisor: path is inside /.pitstop" {
		t.Fatalf("write into /.pitstop: %q", got)
	}

	// A small file: the per-update floor of the protocol.
	var small []time.Duration
	for i := 0; i < 20; i++ {
		s = next()
		frame := writeFrame(s, "/app/version.txt", 0o644, []byte("s"+strconv.Itoa(i)), "sha256")
		start := time.Now()
		a.send(frame)
		a.expectOK(s)
		small = append(small, time.Since(start))
	}
	if body, _ := get(url + "/"); !strings.HasSuffix(body, "version=s19") {
		t.Fatalf("after the small writes: %q", body)
	}

	// The measured loop: a new server binary and a restart in one send,
	// then wait until the new build answers.
	update := func(encoding string) (toWriteAck, toRestartAck, toAnswer time.Duration) {
		t.Helper()
		build := "b"
		if strings.Contains(bodyOf(url), " build=b ") {
			build = "a"
		}
		ws, rs := next(), next()
		// Hashing or compressing is the sender's work, done before the clock
		// starts (pitstop knows a build output's hash from its file hashes).
		frames := [][]byte{writeFrame(ws, "/server", 0o755, servers[build], encoding), line(`{"op":"restart","seq":` + rs + `}`)}
		start := time.Now()
		a.send(frames...)
		a.expectOK(ws)
		toWriteAck = time.Since(start)
		newPid := strings.TrimPrefix(a.expectOK(rs), "pid=")
		toRestartAck = time.Since(start)
		body := waitAnswer(t, url+"/", func(b string) bool { return strings.Contains(b, " build="+build+" ") })
		toAnswer = time.Since(start)
		if pidOf(body) != newPid {
			t.Fatalf("answer %q, restart said pid %s", body, newPid)
		}
		*pid = newPid
		return
	}
	for _, mode := range []struct {
		encoding string
		n        int
	}{{"sha256", 20}, {"", 10}, {"gzip", 10}} {
		var w, r, ans []time.Duration
		for i := 0; i < mode.n; i++ {
			tw, tr, ta := update(mode.encoding)
			w, r, ans = append(w, tw), append(r, tr), append(ans, ta)
		}
		t.Logf("stdin write(%s, %d KB)+restart x%d: write ack median %v, restart ack median %v, new build answering median %v (min %v, max %v)",
			describeEncoding(mode.encoding), len(servers["a"])>>10, mode.n, median(w), median(r), median(ans), minimum(ans), maximum(ans))
	}
	t.Logf("stdin 2-byte write ack (with sha256): median %v, min %v, max %v", median(small), minimum(small), maximum(small))

	// The same update the old way, for comparison: one archive upload
	// (temp file + control file), then kill?signal=SIGUSR1.
	if api := engineAPI(); api != nil {
		var took []time.Duration
		for i := 0; i < 10; i++ {
			build := "b"
			if strings.Contains(bodyOf(url), " build=b ") {
				build = "a"
			}
			n := strconv.Itoa(100 + i)
			control := `{"seq": ` + n + `, "rename": [{"from": "/.server.pitstop-tmp", "to": "/server"}]}`
			archive := makeTar(t,
				tarEntry{name: ".server.pitstop-tmp", mode: 0o755, data: servers[build]},
				tarEntry{name: ".pitstop/control/" + n + ".json", mode: 0o644, data: []byte(control)},
			)
			start := time.Now()
			req, _ := http.NewRequest(http.MethodPut, "http://docker/containers/"+ctr+"/archive?path=/", archive)
			req.Header.Set("Content-Type", "application/x-tar")
			resp, err := api.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("archive upload: %v %v", resp, err)
			}
			resp.Body.Close()
			resp, err = api.Post("http://docker/containers/"+ctr+"/kill?signal=SIGUSR1", "", nil)
			if err != nil || resp.StatusCode != 204 {
				t.Fatalf("kill: %v %v", resp, err)
			}
			resp.Body.Close()
			body := waitAnswer(t, url+"/", func(b string) bool { return strings.Contains(b, " build="+build+" ") })
			took = append(took, time.Since(start))
			*pid = pidOf(body)
		}
		t.Logf("for comparison, archive PUT + kill?signal=SIGUSR1 x10: new build answering median %v (min %v, max %v)", median(took), minimum(took), maximum(took))
	}

	// The connection can go away and come back: stdin stays open
	// (StdinOnce false) and the supervisor keeps reading.
	a.conn.Close()
	b := attach(t, ctr)
	s = next()
	b.send(line(`{"op":"hello","seq":` + s + `}`))
	if got := b.expectOK(s); !strings.HasSuffix(got, " pid="+*pid) {
		t.Fatalf("hello after reattaching: %q, want pid %s", got, *pid)
	}
}

func line(s string) []byte { return []byte(s + "\n") }

// writeFrame builds a write frame; how is "" (raw), "sha256" (raw with its
// hash) or "gzip".
func writeFrame(seq, path string, mode int, data []byte, how string) []byte {
	h := `{"op":"write","seq":` + seq + `,"path":"` + path + `","mode":` + strconv.Itoa(mode)
	payload := data
	switch how {
	case "sha256":
		h += `,"sha256":"` + hexSum(data) + `"`
	case "gzip":
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
		zw.Write(data)
		zw.Close()
		payload = z.Bytes()
		h += `,"encoding":"gzip"`
	}
	h += `,"size":` + strconv.Itoa(len(payload)) + "}\n"
	return append([]byte(h), payload...)
}

func describeEncoding(how string) string {
	switch how {
	case "":
		return "raw, no hash"
	case "sha256":
		return "raw, sha256 checked"
	}
	return "gzip, compressed beforehand"
}

func hexSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func bodyOf(url string) string {
	b, _ := get(url + "/")
	return b
}
