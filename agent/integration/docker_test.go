package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSupervisorInScratchContainer walks the whole contract against the real
// daemon, doing what pitstop does: create the container with the supervisor
// as entrypoint, upload the supervisor through the archive API before start,
// then signal with `docker kill -s`, upload control files, and speak the
// stdin protocol over an attach connection.
func TestSupervisorInScratchContainer(t *testing.T) {
	d := newDocker(t)
	dir := t.TempDir()
	goBuild(t, "pitstop/agent/cmd/supervisor", dir+"/supervisor")
	goBuild(t, "pitstop/agent/integration/testserver", dir+"/server", "main.Build=a")
	goBuild(t, "pitstop/agent/integration/testserver", dir+"/server-b", "main.Build=b")
	supervisor, _ := os.ReadFile(dir + "/supervisor")
	server, _ := os.ReadFile(dir + "/server")
	serverB, _ := os.ReadFile(dir + "/server-b")

	// The "user's image": FROM scratch, no shell, no tar.
	image := "pitstop-test/agent:" + strconv.FormatInt(time.Now().UnixNano(), 36)
	rootfs := makeTar(t,
		tarEntry{name: "server", mode: 0o755, data: server},
		tarEntry{name: "app/", mode: 0o755},
		tarEntry{name: "app/old.txt", mode: 0o644, data: []byte("old")},
		tarEntry{name: "app/version.txt", mode: 0o644, data: []byte("v1")},
	)
	d.runIn(rootfs, "import", "-c", `CMD ["/server"]`, "-c", "LABEL "+testLabel, "-", image)

	ctr := d.create(image, []string{"PITSTOP_STOP_TIMEOUT_MS=2000"}, []string{"/.pitstop/supervisor"}, []string{"--", "/server"})
	d.runIn(makeTar(t,
		tarEntry{name: ".pitstop/", mode: 0o755},
		tarEntry{name: ".pitstop/control/", mode: 0o755},
		tarEntry{name: ".pitstop/supervisor", mode: 0o755, data: supervisor},
	), "cp", "-", ctr+":/")
	d.run("start", ctr)
	logs := d.follow(ctr) // after start: on a created container it ends at once; it replays from the start anyway
	ip := d.run("inspect", "-f", "{{.NetworkSettings.IPAddress}}", ctr)
	url := "http://" + ip + ":8080"

	// Started, answering, and the child's stdout lands in docker logs' stdout.
	started := logs.waitLine(logs.stderr, "pitstop-supervisor: started pid=")
	listening := logs.waitLine(logs.stdout, "testserver listening pid=")
	if strings.TrimPrefix(started, "pitstop-supervisor: started ") != strings.TrimPrefix(listening, "testserver listening ") {
		t.Fatalf("supervisor said %q, server said %q", started, listening)
	}
	body := waitAnswer(t, url+"/", func(string) bool { return true })
	pid := pidOf(body)

	t.Run("SIGUSR1 restarts the child", func(t *testing.T) {
		var toLog, toAnswer []time.Duration
		for i := 0; i < 5; i++ {
			start := time.Now()
			d.run("kill", "-s", "USR1", ctr)
			logs.waitLine(logs.stderr, "pitstop-supervisor: started pid=")
			toLog = append(toLog, time.Since(start))
			body := waitAnswer(t, url+"/", func(b string) bool { return pidOf(b) != pid })
			toAnswer = append(toAnswer, time.Since(start))
			pid = pidOf(body)
		}
		t.Logf("docker kill -s USR1 -> 'started' in docker logs: median %v; -> new process answering: median %v (includes the docker CLI)",
			median(toLog), median(toAnswer))

		// What pitstop sees: one Engine API call, then the new process answers.
		api := engineAPI()
		if api == nil {
			t.Log("no /var/run/docker.sock: skipping the Engine API timing")
			return
		}
		var viaAPI, killCall []time.Duration
		for i := 0; i < 10; i++ {
			start := time.Now()
			resp, err := api.Post("http://docker/containers/"+ctr+"/kill?signal=SIGUSR1", "", nil)
			if err != nil || resp.StatusCode != 204 {
				t.Fatalf("kill via API: %v %v", resp, err)
			}
			resp.Body.Close()
			killCall = append(killCall, time.Since(start))
			body := waitAnswer(t, url+"/", func(b string) bool { return pidOf(b) != pid })
			viaAPI = append(viaAPI, time.Since(start))
			pid = pidOf(body)
		}
		t.Logf("Engine API kill?signal=SIGUSR1 -> new process answering: min %v, median %v, max %v (the kill call alone: median %v)",
			minimum(viaAPI), median(viaAPI), maximum(viaAPI), median(killCall))
	})

	t.Run("control file with SIGUSR2 applies without a restart", func(t *testing.T) {
		// A new version under a temp name, then the control file, as pitstop
		// does: the rename makes it appear atomically.
		d.runIn(makeTar(t, tarEntry{name: "app/.version.txt.pitstop-tmp", mode: 0o644, data: []byte("v2")}), "cp", "-", ctr+":/")
		sum := sha256.Sum256([]byte("v2"))
		control := `{"seq": 7, "unknown": true, "delete": ["/app/old.txt", "/app/never-existed"],
			"rename": [{"from": "/app/.version.txt.pitstop-tmp", "to": "/app/version.txt"}],
			"verify": [{"path": "/app/version.txt", "sha256": "` + hex.EncodeToString(sum[:]) + `"}]}`
		d.runIn(makeTar(t, tarEntry{name: "7.json", mode: 0o644, data: []byte(control)}), "cp", "-", ctr+":/.pitstop/control")
		d.run("kill", "-s", "USR2", ctr)
		logs.waitLine(logs.stderr, "pitstop-supervisor: applied seq=7 ok")

		if got, _ := get(url + "/stat?path=/app/old.txt"); got != "missing" {
			t.Fatalf("/app/old.txt: %q, want it deleted", got)
		}
		body, _ := get(url + "/")
		if pidOf(body) != pid || !strings.HasSuffix(body, "version=v2") {
			t.Fatalf("after SIGUSR2: %q, want pid %s (no restart) and version v2", body, pid)
		}
		if res, err := d.readFromContainer(ctr, "/.pitstop/control/7.result.json"); err != nil || strings.TrimSpace(res) != `{"seq":7,"ok":true}` {
			t.Fatalf("result file: %q, %v", res, err)
		}
		if _, err := d.readFromContainer(ctr, "/.pitstop/control/7.json"); err == nil {
			t.Fatal("control file not removed")
		}

		// A refused file: reported, nothing applied, supervisor still fine.
		d.runIn(makeTar(t, tarEntry{name: "8.json", mode: 0o644, data: []byte(`{"delete": ["/app/../server"]}`)}), "cp", "-", ctr+":/.pitstop/control")
		d.run("kill", "-s", "USR2", ctr)
		logs.waitLine(logs.stderr, `pitstop-supervisor: applied seq=8 failed: delete "/app/../server": path contains ..`)
	})

	t.Run("files and control file in one archive, then SIGUSR1", func(t *testing.T) {
		// The cheapest update: one archive upload at / carrying the new file
		// under a temp name and the control file (last, so it lands after the
		// file), then one signal.
		sum := sha256.Sum256([]byte("v3"))
		control := `{"seq": 9, "rename": [{"from": "/app/.version.txt.pitstop-tmp", "to": "/app/version.txt"}],
			"chmod": [{"path": "/app/version.txt", "mode": 420}],
			"verify": [{"path": "/app/version.txt", "sha256": "` + hex.EncodeToString(sum[:]) + `"}]}`
		d.runIn(makeTar(t,
			tarEntry{name: "app/.version.txt.pitstop-tmp", mode: 0o600, data: []byte("v3")},
			tarEntry{name: ".pitstop/control/9.json", mode: 0o644, data: []byte(control)},
		), "cp", "-", ctr+":/")
		d.run("kill", "-s", "USR1", ctr)
		logs.waitLine(logs.stderr, "pitstop-supervisor: applied seq=9 ok")
		logs.waitLine(logs.stderr, "pitstop-supervisor: started pid=")
		body := waitAnswer(t, url+"/", func(b string) bool { return pidOf(b) != pid })
		if !strings.HasSuffix(body, "version=v3") {
			t.Fatalf("after the update: %q", body)
		}
		pid = pidOf(body)
	})

	t.Run("stdin protocol over an attach connection", func(t *testing.T) {
		testStdinProtocol(t, d, ctr, url, map[string][]byte{"a": server, "b": serverB}, &pid)
	})

	t.Run("a crashed child leaves the container up", func(t *testing.T) {
		get(url + "/exit?code=3")
		logs.waitLine(logs.stderr, "pitstop-supervisor: exited code=3")
		if running := d.run("inspect", "-f", "{{.State.Running}}", ctr); running != "true" {
			t.Fatalf("container running=%s after the child exited", running)
		}
		d.run("kill", "-s", "USR1", ctr)
		logs.waitLine(logs.stderr, "pitstop-supervisor: started pid=")
		body := waitAnswer(t, url+"/", func(string) bool { return true })
		pid = pidOf(body)
	})

	t.Run("docker stop exits promptly with the child's code", func(t *testing.T) {
		start := time.Now()
		d.run("stop", "-t", "10", ctr)
		took := time.Since(start)
		code := d.run("inspect", "-f", "{{.State.ExitCode}}", ctr)
		t.Logf("docker stop took %v, exit code %s", took, code)
		if code != "42" {
			t.Fatalf("exit code %s, want 42 (the test server's SIGTERM code)", code)
		}
		if took > 3*time.Second {
			t.Fatalf("docker stop took %v: SIGTERM was not forwarded", took)
		}
	})
}

func pidOf(body string) string {
	f := strings.Fields(body)
	if len(f) == 0 {
		return ""
	}
	return strings.TrimPrefix(f[0], "pid=")
}

func minimum(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[0]
}

func maximum(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)-1]
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
