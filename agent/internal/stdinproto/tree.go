package stdinproto

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// A sync rule mirrors a host folder into `root` in the container. The folders
// between root and a path must be real folders of that mirror: when the host
// replaced a symlink by a folder, the link still in the container must not be
// followed, or a write would land wherever it pointed (outside root).

// within reports whether p is root or below it.
func within(root, p string) bool {
	return p == root || strings.HasPrefix(p, strings.TrimSuffix(root, "/")+"/")
}

// prepareInside makes every folder strictly between root and p a real folder
// (replacing a symlink or a file there), and, when p is to become a file or a
// link, removes a folder standing at p itself.
func prepareInside(root, p string, file bool) error {
	if root == "" {
		return nil
	}
	if err := checkPath(root); err != nil {
		return err
	}
	if !within(root, p) {
		return errors.New("refused " + p + ": outside its sync target " + root)
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
	if rel == "" {
		return nil
	}
	parts := strings.Split(rel, "/")
	dir := root
	for _, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		info, err := os.Lstat(dir)
		switch {
		case err == nil && info.IsDir():
			continue
		case err == nil:
			// A symlink or a file where the mirror has a folder.
			if err := os.Remove(dir); err != nil {
				return describe("replace "+dir, err)
			}
		case !os.IsNotExist(err):
			return describe("stat "+dir, err)
		}
		if err := os.Mkdir(dir, 0o755); err != nil {
			return describe("mkdir "+dir, err)
		}
	}
	if file {
		if info, err := os.Lstat(p); err == nil && info.IsDir() {
			if err := os.RemoveAll(p); err != nil {
				return describe("replace folder "+p, err)
			}
		}
	}
	return nil
}

// reachableInside reports whether p can exist in the mirror: every folder
// between root and p is a real folder. A path behind a symlink is not part
// of the mirror, so deleting it would delete something outside root.
func reachableInside(root, p string) bool {
	if root == "" {
		return true
	}
	if !within(root, p) {
		return false
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
	if rel == "" {
		return true
	}
	parts := strings.Split(rel, "/")
	dir := root
	for _, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		info, err := os.Lstat(dir)
		if err != nil || !info.IsDir() {
			return false
		}
	}
	return true
}
