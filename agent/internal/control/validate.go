package control

import (
	"path/filepath"
	"strconv"
	"strings"
)

// Reserved is the supervisor's own directory. Control files may not touch it
// (deleting the supervisor would break every later restart), except for the
// control directory, so pitstop can clean up old result files.
const (
	Reserved           = "/.pitstop"
	reservedControlDir = "/.pitstop/control/"
)

// MaxMode is the largest file mode accepted: permission, setuid, setgid and
// sticky bits. Anything larger is certainly a bug upstream.
const MaxMode = 07777

// CheckPath reports why a path may not be used, or "" when it may. Paths must
// be absolute and already clean: pitstop sends exactly what it means, so a
// path that needs cleaning ("..", "//", "/./", trailing "/") is refused rather
// than silently reinterpreted.
func CheckPath(p string) string {
	switch {
	case p == "":
		return "empty path"
	case strings.IndexByte(p, 0) >= 0:
		return "path contains a NUL byte"
	case !strings.HasPrefix(p, "/"):
		return "path is not absolute"
	case hasDotDot(p):
		return "path contains .."
	case filepath.Clean(p) != p:
		return "path is not clean"
	case p == "/":
		return "path is the root directory"
	case (p == Reserved || strings.HasPrefix(p, Reserved+"/")) && !strings.HasPrefix(p, reservedControlDir):
		return "path is inside " + Reserved
	}
	return ""
}

func hasDotDot(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

// Validate checks every operation before any is applied, so that a file with
// one bad entry changes nothing. It returns one message per problem.
func Validate(r Request) []string {
	var errs []string
	bad := func(op, p, why string) {
		errs = append(errs, op+" "+strconv.Quote(p)+": "+why)
	}
	check := func(op, p string) {
		if why := CheckPath(p); why != "" {
			bad(op, p, why)
		}
	}
	for _, op := range r.Rename {
		check("rename", op.From)
		check("rename", op.To)
	}
	for _, p := range r.Delete {
		check("delete", p)
	}
	for _, op := range r.Chmod {
		check("chmod", op.Path)
		switch {
		case op.Mode == nil:
			bad("chmod", op.Path, "missing mode")
		case *op.Mode < 0 || *op.Mode > MaxMode:
			bad("chmod", op.Path, "mode out of range: "+strconv.FormatInt(*op.Mode, 10))
		}
	}
	for _, op := range r.Verify {
		check("verify", op.Path)
		if !isSHA256Hex(op.SHA256) {
			bad("verify", op.Path, "sha256 is not 64 hex digits")
		}
	}
	return errs
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
