// Environment maps as written (plain values, or `{ value, secret }`) → plain strings, with the
// values marked secret collected so logs, history and the dashboard can mask them.
type Scalar = string | number | boolean;
export type EnvConfig = Record<string, Scalar | { value: Scalar; secret: boolean }> | undefined;

export function resolveEnv(env: EnvConfig, secrets: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, written] of Object.entries(env ?? {})) {
    const value = typeof written === 'object' ? String(written.value) : String(written);
    if (typeof written === 'object' && written.secret && value !== '') secrets.add(value);
    out[key] = value;
  }
  return out;
}
