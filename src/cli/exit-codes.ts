// Exit codes are part of the interface: scripts and CI branch on them.
export const EXIT = {
  OK: 0,
  /** A service failed to build, start or become ready; an update failed. */
  FAILED: 1,
  /** Bad command line: unknown command, option or service name. */
  USAGE: 2,
  /** The project file is missing or invalid. */
  CONFIG: 3,
  /** No pitstop session is running for this project (status, trigger). */
  NOT_RUNNING: 4,
  /** Interrupted (Ctrl-C) before `pitstop ci` finished. */
  INTERRUPTED: 130,
  /** A bug in pitstop itself. */
  INTERNAL: 70,
} as const;
