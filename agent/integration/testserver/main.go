// Command testserver is the service the integration test runs under the
// supervisor in a FROM scratch image. It reports its pid, build and version, can
// check for a file and can exit on request, so the test can observe restarts,
// control files and crashes from outside the container.
package main

import (
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// Build tells binaries apart (-ldflags "-X main.Build=..."), so the test can
// see a newly written binary answering.
var Build = "0"

func main() {
	// A distinctive code on SIGTERM lets the test see that `docker stop`
	// returns the child's own exit code through the supervisor.
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go func() {
		<-term
		os.Exit(42)
	}()

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		version, _ := os.ReadFile("/app/version.txt")
		w.Write([]byte("pid=" + strconv.Itoa(os.Getpid()) + " build=" + Build + " version=" + string(version)))
	})
	http.HandleFunc("/stat", func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(r.URL.Query().Get("path")); err != nil {
			w.Write([]byte("missing"))
			return
		}
		w.Write([]byte("exists"))
	})
	http.HandleFunc("/exit", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.Write([]byte("bye"))
		w.(http.Flusher).Flush()
		go func() {
			time.Sleep(20 * time.Millisecond) // let the response leave first
			os.Exit(code)
		}()
	})
	os.Stdout.WriteString("testserver listening pid=" + strconv.Itoa(os.Getpid()) + "\n")
	if err := http.ListenAndServe(":8080", nil); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
