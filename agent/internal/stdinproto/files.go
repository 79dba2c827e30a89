package stdinproto

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"

	"pitstop/agent/internal/control"
)

// symlink points path at target, replacing whatever file or link is there
// in one rename, so the path never goes missing in between.
func symlink(path, target string, seq int64) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if target == "" || strings.IndexByte(target, 0) >= 0 {
		return errors.New("bad target: empty or contains a NUL byte")
	}
	tmp, err := tempBeside(path, seq)
	if err != nil {
		return err
	}
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return describe("symlink", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return describe("rename", err)
	}
	return nil
}

// mkdir creates path and its missing parents. An existing directory is
// fine; its mode is set when the frame gives one.
func mkdir(path string, mode *int64) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return describe("mkdir", err)
	}
	if mode != nil {
		if err := os.Chmod(path, control.FileMode(*mode)); err != nil {
			return describe("chmod", err)
		}
	}
	return nil
}

// remove deletes each path with everything below it; a missing path is
// fine. All paths are checked before any is removed, as for control files.
func remove(paths []string) error {
	if err := checkPaths(paths); err != nil {
		return err
	}
	var errs []string
	for _, p := range paths {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, describe("delete "+p, err).Error())
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// hashes returns "sha256=<h1>,<h2>,..." with "-" for a path that holds no
// regular file (missing, or a directory), so pitstop can tell what it must
// still send.
func hashes(paths []string) (string, error) {
	if err := checkPaths(paths); err != nil {
		return "", err
	}
	sums := make([]string, len(paths))
	for i, p := range paths {
		sum, err := hashFile(p)
		if err != nil {
			return "", describe("hash "+p, err)
		}
		sums[i] = sum
	}
	return "sha256=" + strings.Join(sums, ","), nil
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		return "-", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "-", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
