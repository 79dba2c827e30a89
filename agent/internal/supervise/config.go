package supervise

import (
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Environment variables pitstop sets on the container to tune the supervisor.
// They are removed from the child's environment so the service sees the same
// environment it would without the supervisor.
const (
	EnvStopTimeoutMS = "PITSTOP_STOP_TIMEOUT_MS"
	EnvStopSignal    = "PITSTOP_STOP_SIGNAL"
	EnvExitWithChild = "PITSTOP_EXIT_WITH_CHILD"
	// EnvHoldFirstStart ("1") keeps the child from starting until the first
	// restart request: pitstop starts a container while the services it
	// depends on are still starting, and launches its process once they are
	// ready. Only the container's first start holds (see Supervisor.hold).
	EnvHoldFirstStart = "PITSTOP_HOLD_FIRST_START"
	// EnvControlDir moves the control directory; for tests and for running the
	// supervisor outside a container. Empty disables control files.
	EnvControlDir = "PITSTOP_CONTROL_DIR"
)

const defaultStopTimeout = 5 * time.Second

// Config is everything the supervisor needs; tests build it directly.
type Config struct {
	Command        []string       // argv of the child; Command[0] is looked up in PATH
	Env            []string       // the child's environment
	StopSignal     syscall.Signal // sent to the child's group to stop it for a restart
	StopTimeout    time.Duration  // then SIGKILL; 0 means SIGKILL at once
	ExitWithChild  bool           // exit when the child exits by itself
	HoldFirstStart bool           // wait for a restart request before the first start
	ControlDir     string         // where control files arrive; "" disables them
	Stdio          []uintptr      // the child's fds 0, 1, 2 (inherited as they are)
}

// FromEnv builds the config from the supervisor's own environment;
// controlDir is the default control directory. Bad values
// fall back to the defaults and are returned as warnings to print, because a
// typo in a tuning knob must not stop the service from starting.
func FromEnv(command, environ []string, controlDir string) (Config, []string) {
	cfg := Config{
		Command:     command,
		StopSignal:  syscall.SIGTERM,
		StopTimeout: defaultStopTimeout,
		ControlDir:  controlDir,
		Stdio:       []uintptr{0, 1, 2},
	}
	var warnings []string
	for _, kv := range environ {
		key, val, _ := strings.Cut(kv, "=")
		switch key {
		case EnvStopTimeoutMS:
			ms, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
			if err != nil || ms < 0 {
				warnings = append(warnings, "ignoring "+EnvStopTimeoutMS+"="+strconv.Quote(val)+": want milliseconds >= 0")
			} else {
				cfg.StopTimeout = time.Duration(ms) * time.Millisecond
			}
		case EnvStopSignal:
			if sig, ok := ParseSignal(val); ok {
				cfg.StopSignal = sig
			} else {
				warnings = append(warnings, "ignoring "+EnvStopSignal+"="+strconv.Quote(val)+": unknown signal")
			}
		case EnvControlDir:
			cfg.ControlDir = val
		case EnvExitWithChild:
			cfg.ExitWithChild = val == "1" || strings.EqualFold(val, "true")
		case EnvHoldFirstStart:
			cfg.HoldFirstStart = val == "1" || strings.EqualFold(val, "true")
		default:
			cfg.Env = append(cfg.Env, kv)
		}
	}
	return cfg, warnings
}
