package stdinproto

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"

	"pitstop/agent/internal/control"
	"pitstop/agent/internal/delta"
)

// errBaseMismatch starts every reply that means "the file is not the base
// this delta was made for": pitstop then sends the whole file with write.
const errBaseMismatch = "base mismatch: "

// keptModeBits are the mode bits a patched file keeps when the frame has no mode.
const keptModeBits = os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky

// patch carries out a patch frame: a PSD1 delta (agent/internal/delta)
// against the file now at path. Like write, it always consumes exactly size
// payload bytes.
func (s *server) patch(f frame) error {
	payload := &io.LimitedReader{R: s.in, N: f.size}
	return s.consumed(payload, s.patchFile(&f.h, f.seq, payload))
}

func (s *server) patchFile(h *header, seq int64, payload *io.LimitedReader) error {
	switch {
	case h.Size == nil:
		return errors.New("patch needs size")
	case !isSHA256Hex(h.BaseSHA256):
		return errors.New("base_sha256 is not 64 hex digits")
	case !isSHA256Hex(h.SHA256):
		// Required, unlike write's: it is what proves the result right.
		return errors.New("sha256 is not 64 hex digits")
	}
	if err := checkPath(h.Path); err != nil {
		return err
	}
	if err := prepareInside(h.Root, h.Path, true); err != nil {
		return err
	}
	base, info, err := openBase(h.Path, h.BaseSHA256)
	if err != nil {
		return err
	}
	defer base.Close()

	dh, err := delta.ReadHeader(payload)
	if err != nil {
		return err
	}
	// The frame names the base and target too; a delta made for other files
	// is pitstop's mistake, not a changed container: not "base mismatch".
	if dh.BaseSize != info.Size() || !strings.EqualFold(hex.EncodeToString(dh.BaseSHA256[:]), h.BaseSHA256) {
		return errors.New("delta: made for another base than base_sha256")
	}
	if !strings.EqualFold(hex.EncodeToString(dh.TargetSHA256[:]), h.SHA256) {
		return errors.New("delta: made for another target than sha256")
	}
	mode := info.Mode() & keptModeBits
	if h.Mode != nil {
		mode = control.FileMode(*h.Mode)
	}

	f, tmp, err := createTemp(h.Path, seq)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done { // never leave a temp file behind
			f.Close()
			os.Remove(tmp)
		}
	}()
	sum := sha256.New()
	out := bufio.NewWriterSize(io.MultiWriter(f, sum), copyBufferSize)
	if err := delta.Apply(dh, base, payload, out); err != nil {
		var de *delta.Error
		if errors.As(err, &de) {
			return err
		}
		return describe("patch", err)
	}
	if err := out.Flush(); err != nil {
		return describe("write", err)
	}
	if err := f.Chmod(mode); err != nil { // after the data, as write does
		return describe("chmod", err)
	}
	err = f.Close()
	done = true
	if err != nil {
		os.Remove(tmp)
		return describe("write", err)
	}
	if !strings.EqualFold(hex.EncodeToString(sum.Sum(nil)), h.SHA256) {
		os.Remove(tmp)
		return errors.New("sha256 mismatch")
	}
	if err := os.Rename(tmp, h.Path); err != nil {
		os.Remove(tmp)
		return describe("rename", err)
	}
	remember(h.Path, h.SHA256)
	return nil
}

// openBase opens the file at path and checks that it is the base: a
// regular file with that sha256. The delta is then read from the same open
// file, so a rename over path in between cannot change what it patches.
func openBase(path, want string) (*os.File, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, errors.New(errBaseMismatch + "no such file")
		}
		return nil, nil, errors.New(errBaseMismatch + describe("open", err).Error())
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = errors.New(errBaseMismatch + "not a regular file")
	}
	if err == nil {
		if got, ok := knownSHA256(path, info); ok {
			if !strings.EqualFold(got, want) {
				err = errors.New(errBaseMismatch + "file has sha256 " + got)
			}
			if err != nil {
				f.Close()
				return nil, nil, err
			}
			return f, info, nil
		}
		sum := sha256.New()
		if _, err = io.Copy(sum, f); err != nil {
			err = errors.New(errBaseMismatch + describe("read", err).Error())
		} else if got := hex.EncodeToString(sum.Sum(nil)); !strings.EqualFold(got, want) {
			err = errors.New(errBaseMismatch + "file has sha256 " + got)
		}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}
