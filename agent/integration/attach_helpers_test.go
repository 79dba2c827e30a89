package integration

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// attachment is one hijacked `POST /containers/{id}/attach` connection, as
// pitstop keeps per container: frames go in as the container's stdin, the
// supervisor's replies come back on the multiplexed stderr stream.
type attachment struct {
	t      *testing.T
	conn   net.Conn
	stderr chan string // whole lines
}

const dockerSocket = "/var/run/docker.sock"

// create makes the container as pitstop does, through the Engine API with
// OpenStdin true and StdinOnce false, so stdin stays open across attach
// connections. (`docker create -i` cannot: the CLI always adds StdinOnce,
// which closes stdin when the first attach ends.) Without a local socket it
// falls back to the CLI without stdin, and the stdin test skips.
func (d *docker) create(image string, env, entrypoint, cmd []string) string {
	d.t.Helper()
	api := engineAPI()
	if api == nil {
		args := []string{"create", "--label", testLabel, "--entrypoint", entrypoint[0]}
		for _, e := range env {
			args = append(args, "-e", e)
		}
		args = append(append(args, image), cmd...)
		return d.run(args...)
	}
	k, v, _ := strings.Cut(testLabel, "=")
	body, _ := json.Marshal(map[string]interface{}{
		"Image": image, "Env": env, "Entrypoint": entrypoint, "Cmd": cmd,
		"Labels":    map[string]string{k: v},
		"OpenStdin": true, "StdinOnce": false, "Tty": false,
	})
	resp, err := api.Post("http://docker/v1.41/containers/create", "application/json", bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var created struct{ Id string }
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusCreated {
		d.t.Fatalf("create: %s %v", resp.Status, err)
	}
	return created.Id
}

// attach opens the connection, or returns nil when the daemon is not the
// local socket's (DOCKER_HOST set).
func attach(t *testing.T, ctr string) *attachment {
	t.Helper()
	if os.Getenv("DOCKER_HOST") != "" {
		return nil
	}
	conn, err := net.Dial("unix", dockerSocket)
	if err != nil {
		return nil
	}
	t.Cleanup(func() { conn.Close() })
	// The upgrade headers make the daemon answer 101 and hand the raw
	// connection over; without them it answers 200 and does the same, which
	// some proxies then break.
	req := "POST /v1.41/containers/" + ctr + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n" +
		"Host: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(conn, 64<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("attach: %s", resp.Status)
	}
	a := &attachment{t: t, conn: conn, stderr: make(chan string, 1000)}
	go a.demux(br)
	return a
}

// demux splits the stream: each chunk has an 8-byte header (stream 1 =
// stdout, 2 = stderr; big-endian length in bytes 4..7). A line may span
// chunks and a chunk may hold several lines.
func (a *attachment) demux(r io.Reader) {
	var hdr [8]byte
	var partial []byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		chunk := make([]byte, binary.BigEndian.Uint32(hdr[4:]))
		if _, err := io.ReadFull(r, chunk); err != nil {
			return
		}
		if hdr[0] != 2 {
			continue // stdout: the service's output
		}
		partial = append(partial, chunk...)
		for {
			i := bytes.IndexByte(partial, '\n')
			if i < 0 {
				break
			}
			a.stderr <- string(partial[:i])
			partial = partial[i+1:]
		}
	}
}

// send writes frames as one write, the way pitstop pipelines them.
func (a *attachment) send(frames ...[]byte) {
	a.t.Helper()
	if _, err := a.conn.Write(bytes.Join(frames, nil)); err != nil {
		a.t.Fatal(err)
	}
}

// ack waits for "pitstop-supervisor: ack seq=<seq> " and returns the rest
// ("ok ..." or "failed: ..."). The same stream carries the child's stderr
// and the supervisor's other lines, which are skipped.
func (a *attachment) ack(seq string) string {
	a.t.Helper()
	prefix := "pitstop-supervisor: ack seq=" + seq + " "
	deadline := time.After(15 * time.Second)
	for {
		select {
		case l := <-a.stderr:
			if strings.HasPrefix(l, prefix) {
				return strings.TrimPrefix(l, prefix)
			}
		case <-deadline:
			a.t.Fatalf("no ack for seq %s", seq)
		}
	}
}

// expectOK waits for the ack of seq and fails unless it is "ok"; it returns
// the key=value part.
func (a *attachment) expectOK(seq string) string {
	a.t.Helper()
	r := a.ack(seq)
	if r != "ok" && !strings.HasPrefix(r, "ok ") {
		a.t.Fatalf("seq %s: %s", seq, r)
	}
	return strings.TrimPrefix(strings.TrimPrefix(r, "ok"), " ")
}
