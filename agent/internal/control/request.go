// Package control applies the file operations pitstop cannot do through the
// Docker Engine archive API alone (deletes, atomic renames, chmods, hash
// checks). pitstop uploads a JSON control file into the control directory and
// signals the supervisor, which applies it and leaves a result file behind.
package control

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Request is one control file. Unknown JSON fields are ignored so that a newer
// pitstop can talk to an older supervisor without breaking it.
type Request struct {
	// Seq is optional in the body; the file name carries the authoritative seq.
	Seq    *int64     `json:"seq"`
	Rename []RenameOp `json:"rename"`
	Delete []string   `json:"delete"`
	Chmod  []ChmodOp  `json:"chmod"`
	Verify []VerifyOp `json:"verify"`
}

// RenameOp moves From to To with os.Rename, which is atomic on one filesystem:
// pitstop uploads a binary under a temporary name and renames it into place so
// the service never starts a half-written file.
type RenameOp struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ChmodOp sets permission bits. Mode is a plain number (493 == 0755); a
// pointer so that a missing mode is an error rather than a silent chmod 000.
type ChmodOp struct {
	Path string `json:"path"`
	Mode *int64 `json:"mode"`
}

// VerifyOp checks that a file's SHA-256 is the expected hex digest (either case).
type VerifyOp struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Parse decodes a control file. It never panics on bad input; wrong types and
// malformed JSON come back as an error.
func Parse(data []byte) (Request, error) {
	if string(bytes.TrimSpace(data)) == "null" {
		// Decodes without error, but is certainly a bug on the sending side.
		return Request{}, errors.New("control file is null")
	}
	var r Request
	if err := json.Unmarshal(data, &r); err != nil {
		return Request{}, err
	}
	return r, nil
}
