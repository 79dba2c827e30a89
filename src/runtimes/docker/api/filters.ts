// List and event filters travel as one JSON query parameter: {"label": ["a=b", "c"], ...}.

/** `{ 'pitstop.project': 'shop', 'pitstop.managed': true }`: value match, or just presence. */
export type LabelSelector = Readonly<Record<string, string | true>>;

export type Filters = Readonly<Record<string, readonly string[] | undefined>>;

export function labelFilter(labels: LabelSelector | undefined): string[] | undefined {
  if (!labels) return undefined;
  return Object.entries(labels).map(([key, value]) => (value === true ? key : `${key}=${value}`));
}

/** The `filters` query value, or undefined when nothing filters. */
export function encodeFilters(filters: Filters): string | undefined {
  const present = Object.entries(filters).filter(([, values]) => values !== undefined && values.length > 0);
  return present.length === 0 ? undefined : JSON.stringify(Object.fromEntries(present));
}
