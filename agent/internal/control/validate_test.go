package control

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	r, err := Parse([]byte(`{"seq": 12, "future": {"x": 1}, "delete": ["/app/old.js"],
		"chmod": [{"path": "/app/x", "mode": 493}],
		"rename": [{"from": "/app/.x.pitstop-tmp", "to": "/app/x"}],
		"verify": [{"path": "/app/x", "sha256": "ab"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if *r.Seq != 12 || r.Delete[0] != "/app/old.js" || *r.Chmod[0].Mode != 493 ||
		r.Rename[0].To != "/app/x" || r.Verify[0].SHA256 != "ab" {
		t.Fatalf("decoded wrongly: %+v", r)
	}

	for _, bad := range []string{``, `{`, `null`, ` null `, `[]`, `{"delete": "/x"}`, `{"chmod": [{"path": "/x", "mode": "755"}]}`, `{} {}`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) = nil error, want one", bad)
		}
	}
	if _, err := Parse([]byte(`{}`)); err != nil {
		t.Errorf("empty object is a valid no-op: %v", err)
	}
}

func TestCheckPath(t *testing.T) {
	ok := []string{"/app/x", "/a", "/.pitstop/control/1.result.json", "/.pitstopx/y", "/app/.x.pitstop-tmp"}
	for _, p := range ok {
		if why := CheckPath(p); why != "" {
			t.Errorf("CheckPath(%q) = %q, want accepted", p, why)
		}
	}
	bad := map[string]string{
		"":                     "empty",
		"app/x":                "not absolute",
		"./x":                  "not absolute",
		"/app/../etc/passwd":   "..",
		"/..":                  "..",
		"/app//x":              "not clean",
		"/app/./x":             "not clean",
		"/app/x/":              "not clean",
		"/":                    "root",
		"/.pitstop":            "inside /.pitstop",
		"/.pitstop/supervisor": "inside /.pitstop",
		"/.pitstop/control":    "inside /.pitstop",
		"/app/\x00x":           "NUL",
	}
	for p, want := range bad {
		if why := CheckPath(p); !strings.Contains(why, want) {
			t.Errorf("CheckPath(%q) = %q, want it to mention %q", p, why, want)
		}
	}
}

func TestValidate(t *testing.T) {
	mode := func(m int64) *int64 { return &m }
	good := Request{
		Rename: []RenameOp{{From: "/a/.t", To: "/a/t"}},
		Delete: []string{"/a/old"},
		Chmod:  []ChmodOp{{Path: "/a/t", Mode: mode(0o4755)}, {Path: "/a/u", Mode: mode(0)}},
		Verify: []VerifyOp{{Path: "/a/t", SHA256: strings.Repeat("aB", 32)}},
	}
	if errs := Validate(good); len(errs) != 0 {
		t.Fatalf("valid request refused: %v", errs)
	}

	bad := Request{
		Rename: []RenameOp{{From: "rel", To: "/a/t"}, {From: "/a/x", To: "/.pitstop/supervisor"}},
		Delete: []string{"/"},
		Chmod:  []ChmodOp{{Path: "/a/t"}, {Path: "/a/t", Mode: mode(-1)}, {Path: "/a/t", Mode: mode(0o10000)}},
		Verify: []VerifyOp{{Path: "/a/t", SHA256: "abc"}, {Path: "/a/t", SHA256: strings.Repeat("g", 64)}},
	}
	errs := Validate(bad)
	if len(errs) != 8 {
		t.Fatalf("want 8 problems, got %d: %q", len(errs), errs)
	}
	for i, want := range []string{`rename "rel"`, `rename "/.pitstop/supervisor"`, `delete "/"`, "missing mode", "out of range: -1", "out of range: 4096", "64 hex", "64 hex"} {
		if !strings.Contains(errs[i], want) {
			t.Errorf("problem %d = %q, want it to mention %q", i, errs[i], want)
		}
	}
}
