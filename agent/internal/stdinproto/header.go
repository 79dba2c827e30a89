package stdinproto

import (
	"encoding/json"
	"errors"
	"sort"
	"strconv"

	"pitstop/agent/internal/control"
)

// MaxHeader is the longest header line accepted, newline included.
const MaxHeader = 64 << 10

// header is one frame's JSON line. Pointers tell "absent" from zero where
// that matters.
type header struct {
	Op         string   `json:"op"`
	Seq        int64    `json:"seq"`
	Path       string   `json:"path"`
	Paths      []string `json:"paths"`
	Target     string   `json:"target"`
	Mode       *int64   `json:"mode"`
	Size       *int64   `json:"size"`
	SHA256     string   `json:"sha256"`
	BaseSHA256 string   `json:"base_sha256"`
	Encoding   string   `json:"encoding"`
	Signal     string   `json:"signal"`
	// Root is the sync target the paths belong to: folders between it and a
	// path are kept real folders (see tree.go). Optional.
	Root string `json:"root"`
}

// fields lists what each op may carry besides "op" and "seq". Anything else
// is refused: a field the supervisor does not know is a field it would
// silently ignore, and pitstop should learn that from the reply (and from
// hello's version), not from a wrong result.
var fields = map[string][]string{
	"hello":   nil,
	"write":   {"path", "mode", "size", "sha256", "encoding", "root"},
	"patch":   {"path", "mode", "size", "sha256", "base_sha256", "root"},
	"symlink": {"path", "target", "root"},
	"mkdir":   {"path", "mode", "root"},
	"delete":  {"paths", "root"},
	"restart": nil,
	"signal":  {"signal"},
	"hash":    {"paths"},
}

// frame is what parse learned from a header line. Even a refused header
// tells how many payload bytes follow, so they can be skipped and the stream
// stays in step.
type frame struct {
	seq  int64 // 0 when unknown
	size int64 // payload bytes that follow the line
	h    header
	err  error // the reply when the frame cannot be carried out
}

func parse(line []byte) frame {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil || raw == nil {
		return frame{err: errors.New("malformed header: not a JSON object")}
	}
	var f frame
	// seq and size first, each on its own, so a mistake elsewhere still
	// gets a reply the sender can match and the payload is still skipped.
	if v, ok := raw["seq"]; ok && json.Unmarshal(v, &f.seq) != nil || f.seq < 0 {
		f.seq = 0
	}
	if v, ok := raw["size"]; ok {
		if json.Unmarshal(v, &f.size) != nil || f.size < 0 {
			// The payload length is unknown, so it cannot be skipped; what
			// follows is read as header lines and refused until one parses.
			f.size = 0
			f.err = errors.New("bad size")
			return f
		}
	}
	if err := json.Unmarshal(line, &f.h); err != nil {
		f.err = errors.New("malformed header: " + err.Error())
		return f
	}
	allowed, known := fields[f.h.Op]
	switch {
	case f.seq == 0:
		f.err = errors.New("missing seq: want a positive integer")
	case !known:
		f.err = errors.New("unknown op " + strconv.Quote(f.h.Op))
	case raw["size"] != nil && f.h.Op != "write" && f.h.Op != "patch":
		f.err = errors.New("op " + f.h.Op + " takes no payload")
	default:
		f.err = unknownField(raw, allowed)
	}
	if f.err == nil && f.h.Mode != nil && (*f.h.Mode < 0 || *f.h.Mode > control.MaxMode) {
		f.err = errors.New("mode out of range: " + strconv.FormatInt(*f.h.Mode, 10))
	}
	return f
}

func unknownField(raw map[string]json.RawMessage, allowed []string) error {
	var extra []string
	for k := range raw {
		if k == "op" || k == "seq" || contains(allowed, k) {
			continue
		}
		extra = append(extra, k)
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra) // the same header always gets the same reply
	return errors.New("unknown field " + strconv.Quote(extra[0]))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
