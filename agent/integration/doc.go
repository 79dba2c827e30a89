// Package integration tests the supervisor against a real Docker engine: a
// FROM scratch image with a static test server, the supervisor uploaded into
// the created container the way pitstop does it (archive API), then restarts,
// control files, the stdin protocol over a hijacked attach connection, a crash
// and `docker stop`.
//
// It runs only with PITSTOP_DOCKER_TESTS=1 (PITSTOP_DOCKER picks the client,
// default /usr/bin/docker when present):
//
//	PITSTOP_DOCKER_TESTS=1 go test -v ./integration/
package integration
