package stdinproto

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestKnownHashHoldsOnlyWhileTheFileIsUnchanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bin")
	os.WriteFile(path, []byte("version one"), 0o755)
	sum := sha256.Sum256([]byte("version one"))
	want := hex.EncodeToString(sum[:])
	remember(path, want)

	info, _ := os.Lstat(path)
	if got, ok := knownSHA256(path, info); !ok || got != want {
		t.Fatalf("the file just written should be known: %v %v", got, ok)
	}

	// Edited inside the container (same size, new content): the remembered hash no longer counts.
	time.Sleep(10 * time.Millisecond)
	os.WriteFile(path, []byte("version two"), 0o755)
	info, _ = os.Lstat(path)
	if _, ok := knownSHA256(path, info); ok {
		t.Fatal("a file changed since it was written must be hashed again")
	}
	if _, _, err := openBase(path, want); err == nil {
		t.Fatal("the changed file is not the base any more")
	}
}
