import { isRecord } from './tree.ts';

/**
 * A short label for a config value, for table rows and run listings: `tome(r=2)`,
 * `generated(size=64)`, `[0, 1]`, `mid`.
 */
export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (!isRecord(value)) return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const { name, ...rest } = value;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${isRecord(v) ? `{${formatValue(v)}}` : formatValue(v)}`).join(', ');
  return typeof name === 'string' ? (fields ? `${name}(${fields})` : name) : formatValue(name) + fields;
}
