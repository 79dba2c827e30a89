package stdinproto

import (
	"errors"
	"strings"

	"pitstop/agent/internal/control"
)

// checkPath applies the control files' rules (absolute, clean, no "..", not
// "/") and refuses all of /.pitstop: unlike control files, the stdin
// protocol never needs to clean up there, and the supervisor binary must
// not be replaced under itself.
func checkPath(p string) error {
	why := control.CheckPath(p)
	if why == "" && (p == control.Reserved || strings.HasPrefix(p, control.Reserved+"/")) {
		why = "path is inside " + control.Reserved
	}
	if why != "" {
		return errors.New("refused " + p + ": " + why)
	}
	return nil
}

func checkPaths(ps []string) error {
	for _, p := range ps {
		if err := checkPath(p); err != nil {
			return err
		}
	}
	return nil
}
