package stdinproto

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"
	"testing"

	"pitstop/agent/internal/delta"
)

// goldenDelta is a base and a PSD1 delta made by the TypeScript encoder
// (src/transfer/delta-golden.test.ts), and the target sha256 it names.
func goldenDelta(t *testing.T) (base, d []byte, targetSum string) {
	t.Helper()
	base, err := os.ReadFile("../delta/testdata/relocated.base")
	if err != nil {
		t.Fatal(err)
	}
	d, err = os.ReadFile("../delta/testdata/relocated.psd1")
	if err != nil {
		t.Fatal(err)
	}
	return base, d, hex.EncodeToString(d[52:84])
}

func patchHeader(seq int, path string, size int, baseSum, targetSum, extra string) string {
	return `{"op":"patch","seq":` + strconv.Itoa(seq) + `,"path":"` + path + `","size":` + strconv.Itoa(size) +
		`,"base_sha256":"` + baseSum + `","sha256":"` + targetSum + `"` + extra + `}`
}

func TestPatchAppliesTheDelta(t *testing.T) {
	base, d, targetSum := goldenDelta(t)
	dir := t.TempDir()
	target := dir + "/bin/api"
	os.Mkdir(dir+"/bin", 0o755)
	if err := os.WriteFile(target, base, 0o750); err != nil {
		t.Fatal(err)
	}
	running, err := os.Open(target) // a program still running the old binary
	if err != nil {
		t.Fatal(err)
	}
	defer running.Close()

	s := serve(t, &fakeChild{})
	s.send(patchHeader(1, target, len(d), sum(base), targetSum, ""), d)
	s.expect("ack seq=1 ok")
	got, _ := os.ReadFile(target)
	if h := sha256.Sum256(got); hex.EncodeToString(h[:]) != targetSum {
		t.Fatal("patched file is not the target")
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o750 {
		t.Fatalf("mode %v: without a mode in the frame the base's is kept", fi.Mode())
	}
	old := make([]byte, len(base))
	if n, _ := running.ReadAt(old, 0); n != len(base) || sum(old) != sum(base) {
		t.Fatal("the open file changed under the program")
	}

	// The same again, with a mode in the frame.
	os.WriteFile(target, base, 0o644)
	s.send(patchHeader(2, target, len(d), sum(base), targetSum, `,"mode":493`), d)
	s.expect("ack seq=2 ok")
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v, want 0755", fi.Mode())
	}
	noTempFiles(t, dir+"/bin")
}

func TestPatchBaseMismatch(t *testing.T) {
	base, d, targetSum := goldenDelta(t)
	dir := t.TempDir()
	s := serve(t, &fakeChild{})

	s.send(patchHeader(1, dir+"/missing", len(d), sum(base), targetSum, ""), d)
	s.expect("ack seq=1 failed: base mismatch: no such file")

	other := append([]byte(nil), base...)
	other[100] ^= 1
	os.WriteFile(dir+"/f", other, 0o644)
	s.send(patchHeader(2, dir+"/f", len(d), sum(base), targetSum, ""), d)
	s.expect("ack seq=2 failed: base mismatch: file has sha256 " + sum(other))

	os.Mkdir(dir+"/d", 0o755)
	s.send(patchHeader(3, dir+"/d", len(d), sum(base), targetSum, ""), d)
	s.expect("ack seq=3 failed: base mismatch: not a regular file")

	os.WriteFile(dir+"/locked", base, 0o000)
	if os.Geteuid() != 0 { // root reads anything
		s.send(patchHeader(4, dir+"/locked", len(d), sum(base), targetSum, ""), d)
		s.expect("ack seq=4 failed: base mismatch: open: permission denied")
	}

	// The stream stayed in step, and nothing was changed or left behind.
	s.send(`{"op":"hello","seq":5}`)
	s.expect("ack seq=5 ok version=test pid=0")
	if got, _ := os.ReadFile(dir + "/f"); sum(got) != sum(other) {
		t.Fatal("a failed patch changed its target")
	}
	noTempFiles(t, dir)
}

func TestPatchRefusesBadFramesAndDeltas(t *testing.T) {
	base, d, targetSum := goldenDelta(t)
	dir := t.TempDir()
	f := dir + "/f"
	os.WriteFile(f, base, 0o644)
	s := serve(t, &fakeChild{})
	expect := func(seq int, header string, payload []byte, want string) {
		t.Helper()
		s.send(header, payload)
		s.expect("ack seq=" + strconv.Itoa(seq) + " failed: " + want)
	}

	expect(1, `{"op":"patch","seq":1,"path":"`+f+`","base_sha256":"`+sum(base)+`","sha256":"`+targetSum+`"}`, nil, "patch needs size")
	expect(2, patchHeader(2, f, len(d), "abc", targetSum, ""), d, "base_sha256 is not 64 hex digits")
	expect(3, patchHeader(3, f, len(d), sum(base), "", ""), d, "sha256 is not 64 hex digits")
	expect(4, patchHeader(4, "relative", len(d), sum(base), targetSum, ""), d, "refused relative: path is not absolute")
	expect(5, patchHeader(5, f, len(d), sum(base), targetSum, `,"encoding":"gzip"`), d, `unknown field "encoding"`)
	expect(6, patchHeader(6, f, len(d), sum(base), targetSum, `,"mode":4096`), d, "mode out of range: 4096")

	// The frame and the delta disagree about the files.
	other := []byte("another base")
	os.WriteFile(dir+"/other", other, 0o644)
	expect(7, patchHeader(7, dir+"/other", len(d), sum(other), targetSum, ""), d, "delta: made for another base than base_sha256")
	expect(8, patchHeader(8, f, len(d), sum(base), sum(nil), ""), d, "delta: made for another target than sha256")

	// Broken deltas.
	expect(9, patchHeader(9, f, 3, sum(base), targetSum, ""), []byte("PSD"), "delta: shorter than its header")
	notPSD := append([]byte("ZIP!"), d[4:]...)
	expect(10, patchHeader(10, f, len(d), sum(base), targetSum, ""), notPSD, "delta: not a PSD1 delta")
	corrupt := append([]byte(nil), d...)
	corrupt[delta.HeaderSize] |= 0x06 // the first block's type: 3, reserved
	expect(11, patchHeader(11, f, len(d), sum(base), targetSum, ""), corrupt, "delta: op stream: corrupt deflate data")
	expect(12, patchHeader(12, f, len(d)-5, sum(base), targetSum, ""), d[:len(d)-5], "delta: op stream cut short")
	expect(13, patchHeader(13, f, len(d)+2, sum(base), targetSum, ""), append(append([]byte(nil), d...), 0, 0), "delta: data after the op stream")

	// A delta that decodes to something else than the sha256 it (and the
	// frame) claim: the result is checked, not trusted.
	wrong := append([]byte(nil), d...)
	wrong[60] ^= 1
	wrongSum := hex.EncodeToString(wrong[52:84])
	expect(14, patchHeader(14, f, len(wrong), sum(base), wrongSum, ""), wrong, "sha256 mismatch")

	s.send(`{"op":"hello","seq":15}`)
	s.expect("ack seq=15 ok version=test pid=0")
	if got, _ := os.ReadFile(f); sum(got) != sum(base) {
		t.Fatal("a failed patch changed its target")
	}
	noTempFiles(t, dir)
}

func TestPatchTruncatedAtEndOfInput(t *testing.T) {
	base, d, targetSum := goldenDelta(t)
	dir := t.TempDir()
	os.WriteFile(dir+"/f", base, 0o644)
	s := serve(t, &fakeChild{})
	s.send(patchHeader(1, dir+"/f", len(d)+100, sum(base), targetSum, ""), d[:len(d)-10])
	s.close() // the connection drops mid-payload
	s.expect("ack seq=1 failed: payload truncated: input ended")
	if got, _ := os.ReadFile(dir + "/f"); sum(got) != sum(base) {
		t.Fatal("a failed patch changed its target")
	}
	noTempFiles(t, dir)
}
