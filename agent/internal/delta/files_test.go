package delta

import (
	"bufio"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// applyFiles applies a delta file to a base file into out, as the agent
// does (file in, buffered file out, hashed on the way), and returns the
// result's sha256 and the CPU time taken (user + system: wall time on a
// busy test machine says more about the machine).
func applyFiles(t *testing.T, basePath, deltaPath, outPath string) ([32]byte, Header, time.Duration) {
	t.Helper()
	start := cpuTime()
	base, err := os.Open(basePath)
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	d, err := os.Open(deltaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	h, err := ReadHeader(d)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	sum := sha256.New()
	w := bufio.NewWriterSize(out, 256<<10)
	if err := Apply(h, base, d, io.MultiWriter(w, sum)); err != nil {
		t.Fatalf("%s: %v", deltaPath, err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var got [32]byte
	copy(got[:], sum.Sum(nil))
	return got, h, cpuTime() - start
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestGolden applies a delta made by the TypeScript encoder
// (src/transfer/delta-golden.test.ts writes testdata/).
func TestGolden(t *testing.T) {
	got, h, _ := applyFiles(t, "testdata/relocated.base", "testdata/relocated.psd1", filepath.Join(t.TempDir(), "out"))
	if got != h.TargetSHA256 {
		t.Fatal("result differs from the target the delta names")
	}
}

// TestDecodeFiles applies every <name>.psd1 in $PITSTOP_DELTA_CASES to
// <name>.base and logs "decoded <name> <ms> ms" (src/transfer's binary test
// runs it on freshly built Go binaries and reads those lines).
func TestDecodeFiles(t *testing.T) {
	dir := os.Getenv("PITSTOP_DELTA_CASES")
	if dir == "" {
		t.Skip("PITSTOP_DELTA_CASES not set")
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.psd1"))
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("no .psd1 files in " + dir)
	}
	for _, p := range names {
		name := strings.TrimSuffix(filepath.Base(p), ".psd1")
		best := time.Hour
		for i := 0; i < 5; i++ { // best of 5: the machine may be busy
			got, h, took := applyFiles(t, filepath.Join(dir, name+".base"), p, filepath.Join(t.TempDir(), "out"))
			if got != h.TargetSHA256 {
				t.Fatalf("%s: result differs from the target the delta names", name)
			}
			if took < best {
				best = took
			}
		}
		t.Logf("decoded %s %.1f ms", name, float64(best.Microseconds())/1000)
	}
}
