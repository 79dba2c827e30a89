// Masks the values of secret environment variables in anything pitstop shows or keeps: service
// output, error messages, history, the dashboard.
const MASK = '••••••';

export type Redact = (text: string) => string;

export function makeRedactor(secrets: readonly string[]): Redact {
  // Longest first, so a secret that contains another is masked whole.
  const values = [...new Set(secrets)].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(MASK);
    return out;
  };
}
