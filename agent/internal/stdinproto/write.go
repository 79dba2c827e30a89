package stdinproto

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"pitstop/agent/internal/control"
)

const defaultFileMode = 0o644

var errTruncated = errors.New("payload truncated: input ended")

// write carries out a write frame. Whatever happens, exactly size payload
// bytes are consumed (or the input has ended), so the next frame's header is
// where the reader expects it.
func (s *server) write(f frame) error {
	payload := &io.LimitedReader{R: s.in, N: f.size}
	return s.consumed(payload, s.writeFile(&f.h, f.seq, payload))
}

// consumed reads what is left of a payload after its frame was carried out
// (or refused) with the result err, and returns the frame's result.
func (s *server) consumed(payload *io.LimitedReader, err error) error {
	if payload.N > 0 {
		// Unread payload: refused before reading, or a decode/disk error
		// stopped the copy midway.
		io.CopyBuffer(io.Discard, payload, s.buf)
	}
	if payload.N > 0 {
		// The input ended inside the payload: whatever went wrong first,
		// this is the cause (a dropped connection, most likely).
		s.eof = true
		err = errTruncated
	}
	return err
}

func (s *server) writeFile(h *header, seq int64, payload *io.LimitedReader) error {
	if h.Size == nil {
		return errors.New("write needs size")
	}
	if err := checkPath(h.Path); err != nil {
		return err
	}
	if err := prepareInside(h.Root, h.Path, true); err != nil {
		return err
	}
	if h.SHA256 != "" && !isSHA256Hex(h.SHA256) {
		return errors.New("sha256 is not 64 hex digits")
	}
	var src io.Reader = payload
	switch h.Encoding {
	case "", "raw":
	case "gzip":
		zr, err := gzip.NewReader(payload)
		if err != nil {
			return errors.New("gzip: " + err.Error())
		}
		src = zr
	default:
		return errors.New("unknown encoding " + strconv.Quote(h.Encoding))
	}
	mode := int64(defaultFileMode)
	if h.Mode != nil {
		mode = *h.Mode
	}

	f, tmp, err := createTemp(h.Path, seq)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done { // never leave a temp file behind, complete or not
			f.Close()
			os.Remove(tmp)
		}
	}()

	var sum hash.Hash
	var dst io.Writer = writerOnly{f}
	if h.SHA256 != "" {
		sum = sha256.New()
		dst = io.MultiWriter(f, sum) // hashed while copying: no second read
	}
	if _, err := io.CopyBuffer(dst, src, s.buf); err != nil {
		if h.Encoding == "gzip" && errors.Is(err, io.ErrUnexpectedEOF) && payload.N == 0 {
			// All of the payload was read, so this is not a dropped connection.
			return errors.New("gzip: stream cut short or followed by extra bytes")
		}
		return describe("write", err)
	}
	if payload.N > 0 {
		return errTruncated // the input ended; never rename a partial file
	}
	// Chmod after the data: writing can clear setuid/setgid bits, and the
	// umask must not decide the final mode.
	if err := f.Chmod(control.FileMode(mode)); err != nil {
		return describe("chmod", err)
	}
	// No fsync: the point is that a running or restarting process never sees
	// a half-written file, which the rename ensures; surviving a host crash
	// is not needed for a dev loop and would cost milliseconds per file.
	err = f.Close()
	done = true
	if err != nil {
		os.Remove(tmp)
		return describe("write", err)
	}
	if sum != nil && !strings.EqualFold(hex.EncodeToString(sum.Sum(nil)), h.SHA256) {
		os.Remove(tmp)
		return errors.New("sha256 mismatch")
	}
	if err := os.Rename(tmp, h.Path); err != nil {
		os.Remove(tmp)
		return describe("rename", err)
	}
	if sum != nil {
		remember(h.Path, h.SHA256)
	}
	return nil
}

// createTemp makes the write's temp file next to the target, so the final
// rename stays on one filesystem and is atomic. A leftover from an earlier
// attempt with the same seq is replaced.
func createTemp(target string, seq int64) (*os.File, string, error) {
	tmp, err := tempBeside(target, seq)
	if err != nil {
		return nil, "", err
	}
	os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, "", describe("create temp file", err)
	}
	return f, tmp, nil
}

// tempBeside returns ".<base>.pitstop-<seq>.tmp" in the target's folder,
// creating missing parent folders.
func tempBeside(target string, seq int64) (string, error) {
	dir, base := filepath.Dir(target), filepath.Base(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", describe("create parent folders", err)
	}
	return filepath.Join(dir, "."+base+".pitstop-"+strconv.FormatInt(seq, 10)+".tmp"), nil
}

// writerOnly hides os.File's ReadFrom so io.CopyBuffer uses our buffer.
type writerOnly struct{ io.Writer }

func isSHA256Hex(s string) bool {
	_, err := hex.DecodeString(s)
	return len(s) == 64 && err == nil
}

// describe keeps an error short: the reply already says which frame, so
// "rename: is a directory" instead of repeating both paths.
func describe(what string, err error) error {
	var pe *os.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return errors.New(what + ": " + err.Error())
}
