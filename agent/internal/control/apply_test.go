package control

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func TestApplyInContractOrder(t *testing.T) {
	d := t.TempDir()
	write(t, d+"/app/.api.pitstop-tmp", "new binary")
	write(t, d+"/app/api", "old binary")
	write(t, d+"/app/old.js", "x")
	write(t, d+"/app/dir/nested/f", "x")
	mode := int64(0o755)

	// The verify must see the renamed file (renames come first) and the
	// chmod must apply to it too.
	errs := Apply(Request{
		Verify: []VerifyOp{{Path: d + "/app/api", SHA256: strings.ToUpper(sum("new binary"))}},
		Chmod:  []ChmodOp{{Path: d + "/app/api", Mode: &mode}},
		Delete: []string{d + "/app/old.js", d + "/app/dir", d + "/app/never-existed"},
		Rename: []RenameOp{{From: d + "/app/.api.pitstop-tmp", To: d + "/app/api"}},
	})
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %q", errs)
	}
	if b, _ := os.ReadFile(d + "/app/api"); string(b) != "new binary" {
		t.Fatalf("rename did not replace the file: %q", b)
	}
	if exists(d+"/app/.api.pitstop-tmp") || exists(d+"/app/old.js") || exists(d+"/app/dir") {
		t.Fatal("renamed-from or deleted paths still exist")
	}
	if fi, _ := os.Stat(d + "/app/api"); fi.Mode().Perm() != 0o755 {
		t.Fatalf("mode = %v, want 0755", fi.Mode())
	}
}

func TestApplyReportsEveryFailureAndContinues(t *testing.T) {
	d := t.TempDir()
	write(t, d+"/a", "content")
	write(t, d+"/gone", "x")
	mode := int64(0o600)
	errs := Apply(Request{
		Rename: []RenameOp{{From: d + "/missing", To: d + "/b"}},
		Delete: []string{d + "/gone"},
		Chmod:  []ChmodOp{{Path: d + "/missing", Mode: &mode}},
		Verify: []VerifyOp{
			{Path: d + "/a", SHA256: sum("other")},
			{Path: d + "/missing", SHA256: sum("x")},
			{Path: d, SHA256: sum("x")},
		},
	})
	want := []string{
		"rename " + d + "/missing -> " + d + "/b: no such file or directory",
		"chmod " + d + "/missing: no such file or directory",
		"verify " + d + "/a: sha256 mismatch",
		"verify " + d + "/missing: no such file or directory",
		"verify " + d + ": is a directory",
	}
	if strings.Join(errs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
	}
	if exists(d + "/gone") {
		t.Fatal("the delete after a failed rename was not applied")
	}
}

func TestFileModeSpecialBits(t *testing.T) {
	m := FileMode(0o7755)
	if m.Perm() != 0o755 || m&os.ModeSetuid == 0 || m&os.ModeSetgid == 0 || m&os.ModeSticky == 0 {
		t.Fatalf("FileMode(07755) = %v", m)
	}
}
