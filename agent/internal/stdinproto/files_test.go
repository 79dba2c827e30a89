package stdinproto

import (
	"os"
	"sort"
	"testing"
	"time"
)

func TestSymlinkReplacesAtomically(t *testing.T) {
	d := t.TempDir()
	os.WriteFile(d+"/y", []byte("target"), 0o644)
	os.WriteFile(d+"/x", []byte("a file"), 0o644)
	s := serve(t, &fakeChild{})
	s.send(`{"op":"symlink","seq":1,"path":"` + d + `/x","target":"y"}`)
	s.expect("ack seq=1 ok")
	if l, _ := os.Readlink(d + "/x"); l != "y" || readFile(t, d+"/x") != "target" {
		t.Fatalf("link %q", l)
	}
	s.send(`{"op":"symlink","seq":2,"path":"` + d + `/x","target":"/elsewhere"}`)
	s.expect("ack seq=2 ok")
	if l, _ := os.Readlink(d + "/x"); l != "/elsewhere" {
		t.Fatalf("link %q", l)
	}
	s.send(`{"op":"symlink","seq":3,"path":"` + d + `/new/dir/z","target":"../../y"}`)
	s.expect("ack seq=3 ok")
	s.send(`{"op":"symlink","seq":4,"path":"` + d + `/x","target":""}`)
	s.expect("ack seq=4 failed: bad target: empty or contains a NUL byte")
	noTempFiles(t, d)
}

func TestMkdir(t *testing.T) {
	d := t.TempDir()
	os.WriteFile(d+"/file", nil, 0o644)
	s := serve(t, &fakeChild{})
	s.send(`{"op":"mkdir","seq":1,"path":"` + d + `/a/b/c","mode":448}`)
	s.expect("ack seq=1 ok")
	if fi, err := os.Stat(d + "/a/b/c"); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("%v %v", fi, err)
	}
	s.send(`{"op":"mkdir","seq":2,"path":"` + d + `/a/b/c"}`)
	s.expect("ack seq=2 ok")
	if fi, _ := os.Stat(d + "/a/b/c"); fi.Mode().Perm() != 0o700 {
		t.Fatal("an existing folder's mode changed without a mode in the frame")
	}
	s.send(`{"op":"mkdir","seq":3,"path":"` + d + `/file"}`)
	s.expect("ack seq=3 failed: mkdir: not a directory")
}

func TestDelete(t *testing.T) {
	d := t.TempDir()
	os.WriteFile(d+"/old.js", nil, 0o644)
	os.MkdirAll(d+"/dir/nested", 0o755)
	os.WriteFile(d+"/dir/nested/f", nil, 0o644)
	s := serve(t, &fakeChild{})
	s.send(`{"op":"delete","seq":1,"paths":["` + d + `/old.js","` + d + `/dir","` + d + `/never-existed"]}`)
	s.expect("ack seq=1 ok")
	if exists(d+"/old.js") || exists(d+"/dir") {
		t.Fatal("not deleted")
	}
	// One bad path refuses the whole frame.
	os.WriteFile(d+"/keep", nil, 0o644)
	s.send(`{"op":"delete","seq":2,"paths":["` + d + `/keep","` + d + `/../x"]}`)
	s.expect("ack seq=2 failed: refused " + d + "/../x: path contains ..")
	if !exists(d + "/keep") {
		t.Fatal("a refused frame was partly applied")
	}
	s.send(`{"op":"delete","seq":3,"paths":[]}`)
	s.expect("ack seq=3 ok")
}

func TestHash(t *testing.T) {
	d := t.TempDir()
	os.WriteFile(d+"/f", []byte("content"), 0o644)
	os.Symlink("f", d+"/link")
	os.Symlink("missing", d+"/dangling")
	s := serve(t, &fakeChild{})
	s.send(`{"op":"hash","seq":1,"paths":["` + d + `/f","` + d + `/missing","` + d + `","` + d + `/link","` + d + `/dangling","` + d + `/f/below"]}`)
	h := sum([]byte("content"))
	s.expect("ack seq=1 ok sha256=" + h + ",-,-," + h + ",-,-")
	s.send(`{"op":"hash","seq":2,"paths":[]}`)
	s.expect("ack seq=2 ok sha256=")
}

func TestPathRefusals(t *testing.T) {
	s := serve(t, &fakeChild{})
	refusals := map[string]string{
		"app/x":                "refused app/x: path is not absolute",
		"/app/../etc/passwd":   "refused /app/../etc/passwd: path contains ..",
		"/app//x":              "refused /app//x: path is not clean",
		"/app/x/":              "refused /app/x/: path is not clean",
		"/":                    "refused /: path is the root directory",
		"":                     "refused : empty path",
		"/.pitstop":            "refused /.pitstop: path is inside /.pitstop",
		"/.pitstop/supervisor": "refused /.pitstop/supervisor: path is inside /.pitstop",
		"/.pitstop/control/1":  "refused /.pitstop/control/1: path is inside /.pitstop",
	}
	var paths []string
	for p := range refusals {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	seq := 0
	for _, p := range paths {
		want := refusals[p]
		for _, frame := range []string{
			`{"op":"write","seq":%d,"path":%q,"size":4}` + "\nDATA",
			`{"op":"symlink","seq":%d,"path":%q,"target":"x"}` + "\n",
			`{"op":"mkdir","seq":%d,"path":%q}` + "\n",
			`{"op":"delete","seq":%d,"paths":[%q]}` + "\n",
			`{"op":"hash","seq":%d,"paths":[%q]}` + "\n",
		} {
			seq++
			s.raw(sprintf(frame, seq, p))
			s.expect("ack seq=" + itoa(seq) + " failed: " + want)
		}
	}
	s.raw("{\"op\":\"mkdir\",\"seq\":999,\"path\":\"/app/\\u0000x\"}\n")
	s.expect("ack seq=999 failed: refused /app/ x: path contains a NUL byte")
	s.noReply(10 * time.Millisecond)
}
