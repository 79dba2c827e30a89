package control

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func readResult(t *testing.T, path string) result {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("result file: %v", err)
	}
	var r result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("result file %q: %v", b, err)
	}
	return r
}

func TestProcessDirAppliesInSeqOrderAndCleansUp(t *testing.T) {
	root := t.TempDir()
	ctl := root + "/control"
	write(t, root+"/app/f", "x")
	// seq 10 must run after seq 9 (numeric, not lexical order): 9 creates
	// nothing but renames f to g; 10 deletes g. Lexical order would fail.
	write(t, ctl+"/10.json", `{"seq": 10, "delete": ["`+root+`/app/g"], "verify": [{"path": "`+root+`/app/f", "sha256": "`+sum("x")+`"}]}`)
	write(t, ctl+"/9.json", `{"rename": [{"from": "`+root+`/app/f", "to": "`+root+`/app/g"}]}`)
	write(t, ctl+"/.11.json.tmp", `{}`) // an upload in progress: not ours yet
	write(t, ctl+"/8.result.json", `{}`)
	write(t, ctl+"/notes.json", `{}`)

	out := ProcessDir(ctl)
	if len(out) != 2 || out[0].Seq != 9 || out[1].Seq != 10 {
		t.Fatalf("outcomes = %+v", out)
	}
	if !out[0].OK() || out[1].OK() {
		t.Fatalf("want 9 ok and 10 failed (f was renamed away): %+v", out)
	}
	if out[1].Errors[0] != "verify "+root+"/app/f: no such file or directory" {
		t.Fatalf("error = %q", out[1].Errors[0])
	}
	if exists(root+"/app/f") || exists(root+"/app/g") {
		t.Fatal("rename then delete did not both apply")
	}
	if r := readResult(t, ctl+"/9.result.json"); !r.OK || r.Seq != 9 || r.Errors != nil {
		t.Fatalf("9.result.json = %+v", r)
	}
	if r := readResult(t, ctl+"/10.result.json"); r.OK || len(r.Errors) != 1 {
		t.Fatalf("10.result.json = %+v", r)
	}
	for _, name := range []string{"9.json", "10.json", ".9.result.json.tmp"} {
		if exists(ctl + "/" + name) {
			t.Errorf("%s left behind", name)
		}
	}
	for _, name := range []string{".11.json.tmp", "8.result.json", "notes.json"} {
		if !exists(ctl + "/" + name) {
			t.Errorf("%s should have been left alone", name)
		}
	}
	if again := ProcessDir(ctl); len(again) != 0 {
		t.Fatalf("files applied twice: %+v", again)
	}
}

func TestProcessDirBadFilesAreReportedNotFatal(t *testing.T) {
	root := t.TempDir()
	ctl := root + "/control"
	write(t, root+"/keep", "x")
	write(t, ctl+"/1.json", `{"delete": [}`)
	write(t, ctl+"/2.json", `{"seq": 3}`)
	// One bad path refuses the whole file: /keep must survive.
	write(t, ctl+"/4.json", `{"delete": ["`+root+`/keep", "relative/path"]}`)
	if err := os.MkdirAll(ctl+"/5.json", 0o755); err != nil {
		t.Fatal(err)
	}

	out := ProcessDir(ctl)
	if len(out) != 4 {
		t.Fatalf("outcomes = %+v", out)
	}
	wants := []string{"parse control file: invalid character '}' looking for beginning of value", "seq 3 in the file does not match its name", `delete "relative/path": path is not absolute`, "read control file: is a directory"}
	for i, want := range wants {
		if out[i].OK() || out[i].Errors[0] != want {
			t.Errorf("outcome %d = %+v, want first error %q", i, out[i], want)
		}
	}
	if !exists(root + "/keep") {
		t.Fatal("a refused file was partly applied")
	}
	entries, _ := os.ReadDir(ctl)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "1.result.json 2.result.json 4.result.json 5.result.json" {
		t.Fatalf("control dir holds %v", names)
	}
}

func TestProcessDirMissingDirectory(t *testing.T) {
	if out := ProcessDir(t.TempDir() + "/nope"); len(out) != 0 {
		t.Fatalf("outcomes = %+v", out)
	}
}

func TestProcessDirLeavesFilesStillBeingUploaded(t *testing.T) {
	root := t.TempDir()
	ctl := root + "/control"
	write(t, root+"/f", "x")
	write(t, ctl+"/1.json", ``)
	write(t, ctl+"/2.json", `{"delete": ["`+root+`/f"`)
	if out := ProcessDir(ctl); len(out) != 0 {
		t.Fatalf("half-uploaded files were processed: %+v", out)
	}
	if !exists(ctl+"/1.json") || !exists(ctl+"/2.json") || !exists(root+"/f") {
		t.Fatal("half-uploaded files were touched")
	}

	write(t, ctl+"/2.json", `{"delete": ["`+root+`/f"]}`) // the upload completes
	out := ProcessDir(ctl)
	if len(out) != 1 || out[0].Seq != 2 || !out[0].OK() || exists(root+"/f") {
		t.Fatalf("completed file not applied: %+v", out)
	}
}
