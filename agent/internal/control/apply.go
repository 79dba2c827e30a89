package control

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
)

// Apply performs a validated request in the contract's order: renames first
// (so freshly uploaded files are in place), then deletes, chmods, and last the
// hash checks (which therefore see the final state). It keeps going after a
// failure so one missing file does not leave the rest undone, and returns one
// message per failure, in order.
func Apply(r Request) []string {
	var errs []string
	for _, op := range r.Rename {
		if err := os.Rename(op.From, op.To); err != nil {
			errs = append(errs, "rename "+op.From+" -> "+op.To+": "+cause(err))
		}
	}
	for _, p := range r.Delete {
		// RemoveAll treats a missing path as success, as the contract wants.
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, "delete "+p+": "+cause(err))
		}
	}
	for _, op := range r.Chmod {
		if err := os.Chmod(op.Path, FileMode(*op.Mode)); err != nil {
			errs = append(errs, "chmod "+op.Path+": "+cause(err))
		}
	}
	for _, op := range r.Verify {
		sum, err := hashFile(op.Path)
		switch {
		case err != nil:
			errs = append(errs, "verify "+op.Path+": "+cause(err))
		case !strings.EqualFold(sum, op.SHA256):
			errs = append(errs, "verify "+op.Path+": sha256 mismatch")
		}
	}
	return errs
}

// FileMode converts a Unix mode number to os.FileMode, whose setuid, setgid
// and sticky flags live in different bits than the Unix ones.
func FileMode(m int64) os.FileMode {
	mode := os.FileMode(m & 0777)
	if m&04000 != 0 {
		mode |= os.ModeSetuid
	}
	if m&02000 != 0 {
		mode |= os.ModeSetgid
	}
	if m&01000 != 0 {
		mode |= os.ModeSticky
	}
	return mode
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cause strips the operation and path that os errors repeat, since the
// message already names them: "delete /x: permission denied".
func cause(err error) string {
	var pe *os.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err.Error()
	case errors.As(err, &le):
		return le.Err.Error()
	}
	return err.Error()
}
