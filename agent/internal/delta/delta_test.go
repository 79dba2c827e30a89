package delta

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// ops builds an op stream by hand, so the tests can write what the TS
// encoder never would.
type ops struct{ b []byte }

func (o *ops) op(tag byte) *ops { o.b = append(o.b, tag); return o }
func (o *ops) u(n uint64) *ops  { o.b = binary.AppendUvarint(o.b, n); return o }
func (o *ops) s(n int64) *ops   { o.b = binary.AppendVarint(o.b, n); return o }
func (o *ops) raw(p ...byte) *ops {
	o.b = append(o.b, p...)
	return o
}

func deflate(t *testing.T, p []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	zw.Write(p)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// build makes a whole delta: header for (base, target) and the deflated ops.
func build(t *testing.T, base, target []byte, o *ops) []byte {
	t.Helper()
	var h [HeaderSize]byte
	copy(h[:], magic)
	binary.LittleEndian.PutUint64(h[4:], uint64(len(target)))
	binary.LittleEndian.PutUint64(h[12:], uint64(len(base)))
	bs, ts := sha256.Sum256(base), sha256.Sum256(target)
	copy(h[20:], bs[:])
	copy(h[52:], ts[:])
	return append(h[:], deflate(t, o.b)...)
}

// apply runs ReadHeader and Apply on a whole delta held in memory.
func apply(base, delta []byte) ([]byte, error) {
	r := bytes.NewReader(delta)
	h, err := ReadHeader(r)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = Apply(h, bytes.NewReader(base), r, &out)
	return out.Bytes(), err
}

func randomBytes(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func TestApplyEveryOp(t *testing.T) {
	base := randomBytes(1, 300<<10)
	// target: a DIFF over 200 KB (runs that straddle the 64 KB chunks), new
	// bytes, a backwards seek and a copy, a forward seek and a copy.
	var target []byte
	o := &ops{}
	diff := append([]byte(nil), base[:200<<10]...)
	o.op(opDiff).u(uint64(len(diff)))
	for at := 0; at < len(diff); {
		zeros, k := 65000+at%7, 3000
		if at+zeros+k > len(diff) {
			zeros, k = len(diff)-at, 0
		}
		o.u(uint64(zeros)).u(uint64(k))
		for i := 0; i < k; i++ {
			fix := byte(i%250 + 1)
			diff[at+zeros+i] += fix
			o.raw(fix)
		}
		at += zeros + k
	}
	target = append(target, diff...)
	target = append(target, "new bytes"...)
	o.op(opAdd).u(9).raw([]byte("new bytes")...)
	o.op(opSeek).s(-150 << 10).op(opCopy).u(1000)
	target = append(target, base[50<<10:50<<10+1000]...)
	o.op(opSeek).s(int64(len(base) - 100 - (50<<10 + 1000))).op(opCopy).u(100)
	target = append(target, base[len(base)-100:]...)
	o.op(opEnd)

	got, err := apply(base, build(t, base, target, o))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, target) {
		for i := range got {
			if got[i] != target[i] {
				t.Fatalf("byte %d: got %d want %d", i, got[i], target[i])
			}
		}
	}

	// Empty target from an empty base.
	if got, err := apply(nil, build(t, nil, nil, (&ops{}).op(opEnd))); err != nil || len(got) != 0 {
		t.Fatalf("empty: %q %v", got, err)
	}
}

func TestApplyRefuses(t *testing.T) {
	base := randomBytes(2, 1000)
	t100 := base[:100]
	good := build(t, base, t100, (&ops{}).op(opCopy).u(100).op(opEnd))
	if _, err := apply(base, good); err != nil {
		t.Fatal(err)
	}
	huge := append([]byte(nil), good...)
	binary.LittleEndian.PutUint64(huge[4:], 1<<63)
	corrupt := append([]byte(nil), good[:HeaderSize]...)
	corrupt = append(corrupt, 0xff, 0xff, 0xff) // reserved block type 3

	cases := []struct {
		name  string
		delta []byte
		base  []byte
		want  string
	}{
		{"short header", good[:40], base, "delta: shorter than its header"},
		{"magic", append([]byte("PSD2"), good[4:]...), base, "delta: not a PSD1 delta"},
		{"length", huge, base, "delta: length out of range"},
		{"unknown op", build(t, base, t100, (&ops{}).op(9)), base, "delta: unknown op 9"},
		{"past target", build(t, base, t100, (&ops{}).op(opAdd).u(101)), base, "delta: ops write past the target length"},
		{"past base", build(t, base, t100, (&ops{}).op(opSeek).s(950).op(opCopy).u(60)), base, "delta: ops read past the end of the base"},
		{"diff past base", build(t, base, t100, (&ops{}).op(opSeek).s(950).op(opDiff).u(60)), base, "delta: ops read past the end of the base"},
		{"seek before", build(t, base, t100, (&ops{}).op(opSeek).s(-1)), base, "delta: seek outside the base"},
		{"seek after", build(t, base, t100, (&ops{}).op(opSeek).s(1001)), base, "delta: seek outside the base"},
		{"early end", build(t, base, t100, (&ops{}).op(opCopy).u(99).op(opEnd)), base, "delta: ops end before the target length"},
		{"empty run", build(t, base, t100, (&ops{}).op(opDiff).u(100).u(0).u(0)), base, "delta: bad DIFF run"},
		{"long run", build(t, base, t100, (&ops{}).op(opDiff).u(100).u(99).u(2)), base, "delta: bad DIFF run"},
		{"long zeros", build(t, base, t100, (&ops{}).op(opDiff).u(100).u(101).u(0)), base, "delta: bad DIFF run"},
		{"bad varint", build(t, base, t100, (&ops{}).op(opAdd).raw(bytes.Repeat([]byte{0xff}, 11)...)), base, "delta: bad varint"},
		{"ops cut short", build(t, base, t100, (&ops{}).op(opCopy).u(100)), base, "delta: op stream cut short"},
		{"add cut short", build(t, base, t100, (&ops{}).op(opAdd).u(100).raw(1, 2)), base, "delta: op stream cut short"},
		{"varint cut short", build(t, base, t100, (&ops{}).op(opAdd).raw(0x80)), base, "delta: op stream cut short"},
		{"fixes cut short", build(t, base, t100, (&ops{}).op(opDiff).u(100).u(10).u(5).raw(1)), base, "delta: op stream cut short"},
		{"deflate cut short", good[:len(good)-2], base, "delta: op stream cut short"},
		{"corrupt deflate", corrupt, base, "delta: op stream: corrupt deflate data"},
		{"after END", build(t, base, t100, (&ops{}).op(opCopy).u(100).op(opEnd).raw(0)), base, "delta: data after END"},
		{"after stream", append(append([]byte(nil), good...), 0), base, "delta: data after the op stream"},
		{"base too short", good, base[:50], "base: shorter than its header says"},
	}
	for _, c := range cases {
		_, err := apply(c.base, c.delta)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		var de *Error
		if isDelta := errors.As(err, &de); isDelta != strings.HasPrefix(c.want, "delta: ") {
			t.Errorf("%s: *Error %v", c.name, isDelta)
		}
	}
}

// TestApplyNeverPanics feeds mutated copies of a real op stream to Apply:
// the supervisor is PID 1, so a hostile or corrupt delta must come back as
// an error, never a panic, and never write past the target length.
func TestApplyNeverPanics(t *testing.T) {
	base, err := os.ReadFile("testdata/relocated.base")
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("testdata/relocated.psd1")
	if err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeader(bytes.NewReader(golden))
	if err != nil {
		t.Fatal(err)
	}
	opStream, err := io.ReadAll(flate.NewReader(bytes.NewReader(golden[HeaderSize:])))
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewSource(1))
	for i := 0; i < 1000; i++ {
		o := append([]byte(nil), opStream...)
		for k := rnd.Intn(4) + 1; k > 0 && len(o) > 0; k-- {
			switch at := rnd.Intn(len(o)); rnd.Intn(3) {
			case 0:
				o[at] = byte(rnd.Intn(256))
			case 1:
				o[at] ^= 0x80 // varint continuation bits
			default:
				o = o[:at]
			}
		}
		var out bytes.Buffer
		err := Apply(h, bytes.NewReader(base), bytes.NewReader(deflate(t, o)), &out)
		if int64(out.Len()) > h.TargetSize {
			t.Fatalf("wrote %d bytes, target is %d", out.Len(), h.TargetSize)
		}
		if err == nil && !bytes.Equal(o, opStream) && out.Len() != int(h.TargetSize) {
			t.Fatal("a mutated stream applied without error but short")
		}
	}
}
