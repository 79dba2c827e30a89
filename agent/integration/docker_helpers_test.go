package integration

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// testLabel marks every container and image the test creates, for cleanup.
const testLabel = "pitstop.test=agent"

type docker struct {
	t   *testing.T
	bin string
}

func newDocker(t *testing.T) *docker {
	if os.Getenv("PITSTOP_DOCKER_TESTS") != "1" {
		t.Skip("set PITSTOP_DOCKER_TESTS=1 to run against a real Docker engine")
	}
	bin := os.Getenv("PITSTOP_DOCKER")
	if bin == "" {
		bin = "docker"
		// The Debian client matches the Debian daemon; a newer client on
		// PATH may not.
		if _, err := os.Stat("/usr/bin/docker"); err == nil {
			bin = "/usr/bin/docker"
		}
	}
	d := &docker{t: t, bin: bin}
	d.run("info", "--format", "{{.ServerVersion}}")
	d.removeLabelled()
	t.Cleanup(d.removeLabelled)
	return d
}

// run executes a docker command and returns its trimmed stdout; it fails the
// test on error.
func (d *docker) run(args ...string) string {
	d.t.Helper()
	return d.runIn(nil, args...)
}

func (d *docker) runIn(stdin io.Reader, args ...string) string {
	d.t.Helper()
	out, err := d.try(stdin, args...)
	if err != nil {
		d.t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (d *docker) try(stdin io.Reader, args ...string) (string, error) {
	out, err := d.tryRaw(stdin, args...)
	return strings.TrimSpace(out), err
}

func (d *docker) tryRaw(stdin io.Reader, args ...string) (string, error) {
	cmd := exec.Command(d.bin, args...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", &cmdError{err: err, stderr: stderr.String()}
	}
	return stdout.String(), nil
}

type cmdError struct {
	err    error
	stderr string
}

func (e *cmdError) Error() string { return e.err.Error() + ": " + strings.TrimSpace(e.stderr) }

func (d *docker) removeLabelled() {
	if ids, _ := d.try(nil, "ps", "-aq", "--filter", "label="+testLabel); ids != "" {
		d.try(nil, append([]string{"rm", "-f"}, strings.Fields(ids)...)...)
	}
	if ids, _ := d.try(nil, "images", "-q", "--filter", "label="+testLabel); ids != "" {
		d.try(nil, append([]string{"rmi", "-f"}, strings.Fields(ids)...)...)
	}
}

// goBuild builds a static linux binary of a package of this module; vars
// are -X settings ("main.Build=a").
func goBuild(t *testing.T, pkg, out string, vars ...string) {
	t.Helper()
	goBin := "go" // the toolchain running this test when it is known
	if root := runtime.GOROOT(); root != "" {
		goBin = filepath.Join(root, "bin", "go")
	}
	ldflags := "-s -w"
	for _, v := range vars {
		ldflags += " -X " + v
	}
	cmd := exec.Command(goBin, "build", "-trimpath", "-ldflags", ldflags, "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
}

// tarEntry is one file or directory of an archive built in memory.
type tarEntry struct {
	name string // relative, "dir/" for a directory
	mode int64
	data []byte
}

func makeTar(t *testing.T, entries ...tarEntry) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), Typeflag: tar.TypeReg, ModTime: time.Now()}
		if strings.HasSuffix(e.name, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// readFromContainer fetches one file through the archive API (docker cp).
func (d *docker) readFromContainer(ctr, path string) (string, error) {
	out, err := d.tryRaw(nil, "cp", ctr+":"+path, "-")
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(strings.NewReader(out))
	if _, err := tr.Next(); err != nil {
		return "", err
	}
	b, err := io.ReadAll(tr)
	return string(b), err
}

// logStream follows `docker logs -f`, keeping stdout and stderr apart.
type logStream struct {
	t      *testing.T
	stdout chan string
	stderr chan string
}

func (d *docker) follow(ctr string) *logStream {
	cmd := exec.Command(d.bin, "logs", "-f", ctr)
	outPipe, _ := cmd.StdoutPipe()
	errPipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ls := &logStream{t: d.t, stdout: make(chan string, 1000), stderr: make(chan string, 1000)}
	pump := func(r io.Reader, ch chan string) {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}
	go pump(outPipe, ls.stdout)
	go pump(errPipe, ls.stderr)
	return ls
}

// waitLine skips lines until one starts with prefix and returns it.
func (ls *logStream) waitLine(ch chan string, prefix string) string {
	ls.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case l := <-ch:
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-deadline:
			ls.t.Fatalf("no log line starting with %q", prefix)
		}
	}
}

var client = &http.Client{Timeout: time.Second}

// engineAPI is an HTTP client for the local daemon's socket, or nil when
// the test talks to some other daemon.
func engineAPI() *http.Client {
	const sock = "/var/run/docker.sock"
	if os.Getenv("DOCKER_HOST") != "" {
		return nil
	}
	if _, err := os.Stat(sock); err != nil {
		return nil
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
}

func get(url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// waitAnswer polls every 2ms until the server answers with a body that
// passes ok, and returns that body.
func waitAnswer(t *testing.T, url string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		body, err := get(url)
		if err == nil && ok(body) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no acceptable answer (last %q, %v)", url, body, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
