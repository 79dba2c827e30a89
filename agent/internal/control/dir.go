package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Dir is where pitstop uploads control files, named "<seq>.json".
const Dir = Reserved + "/control"

// Outcome is what happened to one control file.
type Outcome struct {
	Seq    int64
	Errors []string // empty when everything applied
}

// OK reports whether the file applied without any error.
func (o Outcome) OK() bool { return len(o.Errors) == 0 }

// result is the JSON written to "<seq>.result.json" for pitstop to read back.
type result struct {
	Seq    int64    `json:"seq"`
	OK     bool     `json:"ok"`
	Errors []string `json:"errors,omitempty"`
}

// Prepare creates the control directory so pitstop can upload straight into
// it. Failure (read-only root, non-root user) is not fatal: pitstop can also
// create the directory in the same archive as the supervisor.
func Prepare(dir string) error {
	return os.MkdirAll(dir, 0o755)
}

// ProcessDir applies every pending control file in dir in seq order, writes a
// result file for each, deletes the control file, and returns the outcomes.
// A missing or unreadable directory simply means nothing is pending.
func ProcessDir(dir string) []Outcome {
	var outcomes []Outcome
	for _, p := range pending(dir) {
		if stillUploading(filepath.Join(dir, p.name)) {
			// The archive API writes the file in place; a signal meant for
			// an earlier step can arrive mid-upload. The signal that follows
			// this upload will pick it up complete.
			continue
		}
		outcomes = append(outcomes, processFile(dir, p.name, p.seq))
	}
	return outcomes
}

// stillUploading reports whether a control file looks cut short: empty, or
// valid JSON up to an abrupt end. pitstop never writes such a file, so this
// is an upload in progress, not a mistake to report.
func stillUploading(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return true
	}
	_, err = Parse(data)
	var syn *json.SyntaxError
	return errors.As(err, &syn) && syn.Offset >= int64(len(data)) && strings.Contains(err.Error(), "unexpected end")
}

type pendingFile struct {
	name string
	seq  int64
}

// pending lists "<digits>.json" files sorted by seq. Result files
// ("<seq>.result.json") and anything else (e.g. pitstop's own temp names) do
// not match and are left alone.
func pending(dir string) []pendingFile {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var files []pendingFile
	for _, e := range entries {
		num := strings.TrimSuffix(e.Name(), ".json")
		if num == e.Name() || num == "" || strings.Trim(num, "0123456789") != "" {
			continue
		}
		seq, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			continue // more digits than an int64 holds
		}
		files = append(files, pendingFile{name: e.Name(), seq: seq})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].seq < files[j].seq })
	return files
}

func processFile(dir, name string, seq int64) Outcome {
	path := filepath.Join(dir, name)
	o := Outcome{Seq: seq, Errors: decideAndApply(path, seq)}
	if err := writeResult(dir, o); err != nil {
		o.Errors = append(o.Errors, "write result: "+cause(err))
	}
	// Removing the file is what marks it done; if this fails (say it is a
	// directory) it would be reapplied on every signal, so say so.
	if err := os.RemoveAll(path); err != nil {
		o.Errors = append(o.Errors, "remove control file: "+cause(err))
	}
	return o
}

func decideAndApply(path string, seq int64) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return []string{"read control file: " + cause(err)}
	}
	req, err := Parse(data)
	if err != nil {
		return []string{"parse control file: " + err.Error()}
	}
	if req.Seq != nil && *req.Seq != seq {
		return []string{"seq " + strconv.FormatInt(*req.Seq, 10) + " in the file does not match its name"}
	}
	if errs := Validate(req); len(errs) > 0 {
		return errs // refuse the whole file: nothing is applied
	}
	return Apply(req)
}

// writeResult writes through a temp name and a rename so pitstop never reads
// a half-written result. The temp name starts with a dot so it can never be
// mistaken for a control file.
func writeResult(dir string, o Outcome) error {
	data, err := json.Marshal(result{Seq: o.Seq, OK: o.OK(), Errors: o.Errors})
	if err != nil {
		return err
	}
	seq := strconv.FormatInt(o.Seq, 10)
	final := filepath.Join(dir, seq+".result.json")
	tmp := filepath.Join(dir, "."+seq+".result.json.tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
