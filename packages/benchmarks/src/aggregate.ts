/** Mean of the values; NaN for none. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean × 100: a percentage, as the papers report scores. */
export const percent = (values: readonly number[]): number => 100 * mean(values);

/** `percent` per group, as metrics named `${prefix}${group}`, groups in sorted order. */
export function percentBy<T>(items: readonly T[], prefix: string, group: (item: T) => string, value: (item: T) => number): Record<string, number> {
  const groups = new Map<string, number[]>();
  for (const item of items) {
    const key = group(item);
    const list = groups.get(key) ?? [];
    list.push(value(item));
    groups.set(key, list);
  }
  return Object.fromEntries([...groups.keys()].sort().map((key) => [`${prefix}${key}`, percent(groups.get(key)!)]));
}
