// Package delta applies PSD1 deltas: pitstop's binary patches, made by
// src/transfer/delta-encode.ts, that turn the exact bytes a container holds
// (the base) into a new version of the file (the target). After a one-line
// change a 6 MB Go binary travels as ~30 KB instead of 2.4 MB gzipped.
//
// The format (also in agent/README.md, "patch"): an 84-byte header
//
//	"PSD1", target length (uint64 LE), base length (uint64 LE),
//	base sha256 (32 bytes), target sha256 (32 bytes)
//
// then a raw deflate stream of ops, to the end of the payload. Each op is a
// tag byte and varints (encoding/binary's Uvarint, and Varint for SEEK); a
// cursor into the base starts at 0:
//
//	0 END              the target is complete; the stream must end here
//	1 COPY n           n base bytes from the cursor; cursor += n
//	2 DIFF n runs      n base bytes from the cursor, each plus a correction
//	                   (mod 256); cursor += n. Runs cover n exactly:
//	                   uvarint zeros, uvarint k, k correction bytes, ...
//	3 ADD n bytes      n new bytes
//	4 SEEK d           cursor += d
//
// Apply streams: it holds one chunk of base and output at a time, never the
// whole delta or file.
package delta

import (
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
)

// HeaderSize is the fixed part before the op stream.
const HeaderSize = 84

const magic = "PSD1"

const (
	opEnd = iota
	opCopy
	opDiff
	opAdd
	opSeek
)

// chunk bounds the memory Apply uses for base and output bytes.
const chunk = 64 << 10

// Header is a delta's fixed part.
type Header struct {
	TargetSize   int64
	BaseSize     int64
	BaseSHA256   [32]byte
	TargetSHA256 [32]byte
}

// Error is a malformed delta, or one that does not fit its base: every
// failure of Apply that is not an I/O error of its readers or writer.
type Error struct{ msg string }

func (e *Error) Error() string { return "delta: " + e.msg }

func fail(msg string) error { return &Error{msg} }

// ReadHeader reads and checks the fixed part of a delta.
func ReadHeader(r io.Reader) (Header, error) {
	var b [HeaderSize]byte
	var h Header
	if _, err := io.ReadFull(r, b[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return h, fail("shorter than its header")
		}
		return h, err
	}
	if string(b[:4]) != magic {
		return h, fail("not a PSD1 delta")
	}
	target, base := binary.LittleEndian.Uint64(b[4:]), binary.LittleEndian.Uint64(b[12:])
	if target > 1<<62 || base > 1<<62 {
		return h, fail("length out of range")
	}
	h.TargetSize, h.BaseSize = int64(target), int64(base)
	copy(h.BaseSHA256[:], b[20:52])
	copy(h.TargetSHA256[:], b[52:84])
	return h, nil
}

// Apply reads the op stream that follows the header from r and writes the
// target to w, taking base bytes from base (h.BaseSize long). It checks
// that the ops produce exactly h.TargetSize bytes and that r ends with the
// stream; it does not hash: the caller hashes what w receives.
func Apply(h Header, base io.ReaderAt, r io.Reader, w io.Writer) error {
	// Given an io.ByteReader, flate reads no further than its stream's end,
	// so any byte still in `in` afterwards is trailing data.
	in := bufio.NewReaderSize(r, chunk)
	zr := flate.NewReader(in)
	a := &applier{h: h, base: base, ops: bufio.NewReaderSize(zr, chunk), w: w, buf: make([]byte, chunk)}
	if err := a.run(); err != nil {
		return streamError(err)
	}
	// END must be the stream's last byte, and the stream the payload's end.
	if _, err := a.ops.ReadByte(); err != io.EOF {
		if err == nil {
			return fail("data after END")
		}
		return streamError(err)
	}
	if _, err := in.ReadByte(); err != io.EOF {
		if err == nil {
			return fail("data after the op stream")
		}
		return err
	}
	return nil
}

// streamError names what went wrong inside the compressed stream.
func streamError(err error) error {
	var ce flate.CorruptInputError
	switch {
	case errors.As(err, &ce):
		return fail("op stream: corrupt deflate data")
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return fail("op stream cut short")
	}
	return err
}

type applier struct {
	h      Header
	base   io.ReaderAt
	ops    *bufio.Reader // the inflated op stream
	w      io.Writer
	buf    []byte
	cursor int64 // in the base
	at     int64 // target bytes written
}

func (a *applier) run() error {
	for {
		op, err := a.ops.ReadByte()
		if err != nil {
			return err
		}
		switch op {
		case opEnd:
			if a.at != a.h.TargetSize {
				return fail("ops end before the target length")
			}
			return nil
		case opSeek:
			d, err := readVarint(a.ops)
			if err != nil {
				return err
			}
			if d < -a.cursor || d > a.h.BaseSize-a.cursor {
				return fail("seek outside the base")
			}
			a.cursor += d
			continue
		case opCopy, opDiff, opAdd:
		default:
			return fail("unknown op " + strconv.Itoa(int(op)))
		}
		n, err := a.length()
		if err != nil {
			return err
		}
		switch op {
		case opAdd:
			if _, err := io.CopyN(a.w, a.ops, n); err != nil {
				return err
			}
		case opCopy:
			err = a.fromBase(n, nil)
		case opDiff:
			err = a.fromBase(n, &runs{})
		}
		if err != nil {
			return err
		}
		a.at += n
	}
}

// length reads an op's byte count and checks it against the target and,
// for COPY/DIFF, the base: a hostile header cannot make Apply write past
// the announced length or read past the base.
func (a *applier) length() (int64, error) {
	u, err := readUvarint(a.ops)
	if err != nil {
		return 0, err
	}
	if u > uint64(a.h.TargetSize-a.at) {
		return 0, fail("ops write past the target length")
	}
	return int64(u), nil
}

// runs is where a DIFF is in its zero/correction runs.
type runs struct{ zeros, fixes int64 }

// fromBase copies n base bytes from the cursor to w, adding the DIFF's
// corrections when d is not nil, one chunk at a time.
func (a *applier) fromBase(n int64, d *runs) error {
	if n > a.h.BaseSize-a.cursor {
		return fail("ops read past the end of the base")
	}
	for done := int64(0); done < n; {
		c := a.buf
		if int64(len(c)) > n-done {
			c = c[:n-done]
		}
		if _, err := a.base.ReadAt(c, a.cursor+done); err != nil {
			if err == io.EOF {
				return errors.New("base: shorter than its header says")
			}
			return err
		}
		if d != nil {
			if err := a.correct(c, d, n-done); err != nil {
				return err
			}
		}
		if _, err := a.w.Write(c); err != nil {
			return err
		}
		done += int64(len(c))
	}
	a.cursor += n
	return nil
}

// correct adds a DIFF's corrections to the chunk c; left is how much of the
// DIFF remains, c included, so no run may reach past it.
func (a *applier) correct(c []byte, d *runs, left int64) error {
	for i := 0; i < len(c); {
		if d.zeros == 0 && d.fixes == 0 {
			z, err := readUvarint(a.ops)
			if err != nil {
				return err
			}
			k, err := readUvarint(a.ops)
			if err != nil {
				return err
			}
			rest := uint64(left) - uint64(i)
			if z+k == 0 || z > rest || k > rest-z {
				return fail("bad DIFF run")
			}
			d.zeros, d.fixes = int64(z), int64(k)
		}
		if d.zeros > 0 {
			skip := min64(d.zeros, int64(len(c)-i))
			i += int(skip)
			d.zeros -= skip
			continue
		}
		m := int(min64(d.fixes, int64(len(c)-i)))
		fix, err := a.ops.Peek(m) // m <= chunk, the reader's size
		if err != nil {
			return err
		}
		for j, b := range fix {
			c[i+j] += b
		}
		a.ops.Discard(len(fix))
		i += len(fix)
		d.fixes -= int64(len(fix))
	}
	return nil
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}
