package stdinproto

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPrepareInsideReplacesALinkInsteadOfFollowingIt(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "www")
	outside := filepath.Join(dir, "outside")
	os.MkdirAll(root, 0o755)
	os.MkdirAll(outside, 0o755)
	os.Symlink(outside, filepath.Join(root, "out"))

	target := filepath.Join(root, "out", "pwned.txt")
	if err := prepareInside(root, target, true); err != nil {
		t.Fatal(err)
	}
	info, err := os.Lstat(filepath.Join(root, "out"))
	if err != nil || !info.IsDir() || info.Mode()&os.ModeSymlink != 0 {
		t.Fatalf("root/out should now be a real folder: %v %v", info, err)
	}
	os.WriteFile(target, []byte("x"), 0o644)
	if _, err := os.Stat(filepath.Join(outside, "pwned.txt")); !os.IsNotExist(err) {
		t.Fatalf("a file appeared outside the sync target")
	}
}

func TestPrepareInsideRefusesPathsOutsideTheRoot(t *testing.T) {
	if err := prepareInside("/app/src", "/etc/passwd", true); err == nil {
		t.Fatal("expected a refusal")
	}
	if err := prepareInside("", "/anything", true); err != nil {
		t.Fatalf("no root means no checks: %v", err)
	}
}

func TestReachableInsideStopsAtLinks(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "www")
	os.MkdirAll(filepath.Join(root, "real"), 0o755)
	os.Symlink(dir, filepath.Join(root, "link"))
	if !reachableInside(root, filepath.Join(root, "real", "a")) {
		t.Fatal("a path under a real folder is in the mirror")
	}
	if reachableInside(root, filepath.Join(root, "link", "a")) {
		t.Fatal("a path behind a link is not in the mirror")
	}
	if !reachableInside(root, filepath.Join(root, "link")) {
		t.Fatal("the link itself is in the mirror (and may be deleted)")
	}
}
