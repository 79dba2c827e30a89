package stdinproto

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func writeHeader(seq int, path string, size int, extra string) string {
	return `{"op":"write","seq":` + strconv.Itoa(seq) + `,"path":"` + path + `","size":` + strconv.Itoa(size) + extra + `}`
}

func TestWriteCreatesFoldersSetsModeAndReplacesAtomically(t *testing.T) {
	d := t.TempDir()
	target := d + "/app/bin/api"
	s := serve(t, &fakeChild{})
	s.send(writeHeader(1, target, 3, `,"mode":493`), []byte("old"))
	s.expect("ack seq=1 ok")
	if got := readFile(t, target); got != "old" {
		t.Fatalf("content %q", got)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v, want 0755", fi.Mode())
	}
	if fi, _ := os.Stat(d + "/app/bin"); !fi.IsDir() || fi.Mode().Perm() != 0o755 {
		t.Fatalf("parent folder %v", fi.Mode())
	}

	// A running program keeps reading the file it opened: the write is a
	// new inode renamed over the name, never an in-place rewrite.
	running, err := os.Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer running.Close()
	s.send(writeHeader(2, target, 5, `,"encoding":"raw","sha256":"`+strings.ToUpper(sum([]byte("new!!")))+`"`), []byte("new!!"))
	s.expect("ack seq=2 ok")
	if got := readFile(t, target); got != "new!!" {
		t.Fatalf("content %q", got)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o644 {
		t.Fatalf("default mode %v, want 0644", fi.Mode())
	}
	var old [8]byte
	if n, _ := running.Read(old[:]); string(old[:n]) != "old" {
		t.Fatalf("the open file changed under the program: %q", old[:n])
	}

	s.send(writeHeader(3, d+"/empty", 0, ""))
	s.expect("ack seq=3 ok")
	if got := readFile(t, d+"/empty"); got != "" {
		t.Fatalf("content %q", got)
	}
	noTempFiles(t, d+"/app/bin")
	noTempFiles(t, d)
}

func TestWriteGzip(t *testing.T) {
	d := t.TempDir()
	content := bytes.Repeat([]byte("pitstop "), 10000)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(content)
	zw.Close()
	s := serve(t, &fakeChild{})
	s.send(writeHeader(1, d+"/f", z.Len(), `,"encoding":"gzip","sha256":"`+sum(content)+`"`), z.Bytes())
	s.expect("ack seq=1 ok")
	if got := readFile(t, d+"/f"); got != string(content) {
		t.Fatalf("decoded %d bytes, want %d", len(got), len(content))
	}

	// Not gzip: refused, payload skipped, nothing written.
	s.send(writeHeader(2, d+"/g", 5, `,"encoding":"gzip"`), []byte("plain"))
	s.expectPrefix("ack seq=2 failed: gzip: ")
	// Trailing bytes after the gzip stream are an error, not ignored.
	s.send(writeHeader(3, d+"/g", z.Len()+3, `,"encoding":"gzip"`), z.Bytes(), []byte("xyz"))
	s.expect("ack seq=3 failed: gzip: stream cut short or followed by extra bytes")
	s.send(writeHeader(3, d+"/g", z.Len()+12, `,"encoding":"gzip"`), z.Bytes(), []byte("not gzip too"))
	s.expect("ack seq=3 failed: write: gzip: invalid header")
	s.send(writeHeader(3, d+"/g", z.Len()-12, `,"encoding":"gzip"`), z.Bytes()[:z.Len()-12])
	s.expect("ack seq=3 failed: gzip: stream cut short or followed by extra bytes")
	// A corrupted stream fails its CRC.
	bad := append([]byte(nil), z.Bytes()...)
	bad[len(bad)-6] ^= 0xff
	s.send(writeHeader(4, d+"/g", len(bad), `,"encoding":"gzip"`), bad)
	s.expect("ack seq=4 failed: write: gzip: invalid checksum")
	s.send(writeHeader(5, d+"/g", 1, `,"encoding":"zstd"`), []byte("x"))
	s.expect(`ack seq=5 failed: unknown encoding "zstd"`)
	s.send(`{"op":"hello","seq":6}`)
	s.expect("ack seq=6 ok version=test pid=0")
	if exists(d + "/g") {
		t.Fatal("a failed write left its target")
	}
	noTempFiles(t, d)
}

func TestWriteSHA256Mismatch(t *testing.T) {
	d := t.TempDir()
	if err := os.WriteFile(d+"/f", []byte("before"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := serve(t, &fakeChild{})
	s.send(writeHeader(1, d+"/f", 5, `,"sha256":"`+sum([]byte("other"))+`"`), []byte("after"))
	s.expect("ack seq=1 failed: sha256 mismatch")
	s.send(writeHeader(2, d+"/f", 5, `,"sha256":"abc"`), []byte("after"))
	s.expect("ack seq=2 failed: sha256 is not 64 hex digits")
	if got := readFile(t, d+"/f"); got != "before" {
		t.Fatalf("target changed to %q", got)
	}
	noTempFiles(t, d)
}

func TestWriteTruncatedAtEndOfInput(t *testing.T) {
	d := t.TempDir()
	if err := os.WriteFile(d+"/f", []byte("before"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := serve(t, &fakeChild{})
	s.send(writeHeader(1, d+"/f", 100000, ""), bytes.Repeat([]byte("x"), 50000))
	s.close() // the connection drops mid-payload
	s.expect("ack seq=1 failed: payload truncated: input ended")
	if got := readFile(t, d+"/f"); got != "before" {
		t.Fatalf("target changed to %d bytes", len(got))
	}
	noTempFiles(t, d)
}

func TestWriteFailuresKeepTheStreamInStep(t *testing.T) {
	d := t.TempDir()
	if err := os.Mkdir(d+"/dir", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d+"/file", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	trap := []byte(`{"op":"delete","seq":99,"paths":["` + d + `/file"]}` + "\n")
	s := serve(t, &fakeChild{})
	s.send(writeHeader(1, d+"/dir", len(trap), ""), trap)
	s.expectPrefix("ack seq=1 failed: rename: ") // EISDIR or EEXIST, by filesystem
	s.send(writeHeader(2, d+"/file/below", len(trap), ""), trap)
	s.expect("ack seq=2 failed: create parent folders: not a directory")
	s.send(`{"op":"write","seq":3,"path":"` + d + `/f"}`)
	s.expect("ack seq=3 failed: write needs size")
	s.send(writeHeader(4, d+"/f", len(trap), `,"mode":4096`), trap)
	s.expect("ack seq=4 failed: mode out of range: 4096")
	s.send(`{"op":"hello","seq":5}`)
	s.expect("ack seq=5 ok version=test pid=0")
	if !exists(d + "/file") {
		t.Fatal("a payload was run as a frame")
	}
	noTempFiles(t, d)
}

// TestWriteThroughput: a 10 MB binary goes straight from the pipe to disk.
func TestWriteThroughput(t *testing.T) {
	d := t.TempDir()
	content := make([]byte, 10<<20)
	rand.Read(content)
	s := serve(t, &fakeChild{})
	for _, withHash := range []bool{false, true} {
		var took []time.Duration
		for i := 1; i <= 5; i++ {
			extra := ""
			if withHash {
				extra = `,"sha256":"` + sum(content) + `"`
			}
			start := time.Now()
			go s.send(writeHeader(i, d+"/big", len(content), extra), content)
			s.expect("ack seq=" + strconv.Itoa(i) + " ok")
			took = append(took, time.Since(start))
		}
		t.Logf("10 MB write over a pipe (sha256 checked: %v): best %v, median %v", withHash, minDuration(took), medianDuration(took))
	}
	if fi, _ := os.Stat(d + "/big"); fi.Size() != int64(len(content)) {
		t.Fatalf("size %d", fi.Size())
	}
}
