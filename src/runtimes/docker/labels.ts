// The labels pitstop puts on what it creates. `pitstop down` removes exactly what carries the
// project label, and nothing else; Compose's own labels are never used, so the two don't fight.
export const LABELS = {
  project: 'dev.pitstop.project',
  service: 'dev.pitstop.service',
  /** Hash of everything the container was created from: a match means it can be adopted. */
  hash: 'dev.pitstop.hash',
  /** The project folder, to tell two checkouts with the same project name apart. */
  root: 'dev.pitstop.root',
} as const;
