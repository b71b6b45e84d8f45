/**
 * Plain config trees (what YAML parses to) addressed by paths: `['policy', 'r']`, `['datasets', 0]`,
 * shown as `policy.r`, `datasets[0]`.
 */
export type Path = readonly (string | number)[];

export function showPath(path: Path): string {
  return path.reduce<string>((s, key) => (typeof key === 'number' ? `${s}[${key}]` : s ? `${s}.${key}` : key), '');
}

/** What showPath shows, read back: `r[3].key` → ['r', 3, 'key']. */
export function parseShownPath(text: string): Path {
  return [...text.matchAll(/\[(\d+)\]|([^.[\]]+)/g)].map(([, index, key]) => (index === undefined ? key : Number(index)));
}

/** `a.b.0.c` → ['a', 'b', 0, 'c'] (digit-only segments index lists). */
export function parsePath(text: string): Path {
  return text.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function getPath(tree: unknown, path: Path): unknown {
  let node = tree;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isRecord(node) && typeof key === 'string') node = node[key];
    else return undefined;
  }
  return node;
}

/** A copy of `tree` with the value at `path` set (maps created on the way) or, for `undefined`, removed. */
export function setPath(tree: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  if (Array.isArray(tree) && typeof key === 'number' && key <= tree.length) {
    const copy = [...tree];
    if (value === undefined && rest.length === 0) copy.splice(key, 1);
    else copy[key] = setPath(tree[key], rest, value);
    return copy;
  }
  const copy: Record<string, unknown> = isRecord(tree) ? { ...tree } : {};
  const next = setPath(copy[String(key)], rest, value);
  if (next === undefined) delete copy[String(key)];
  else copy[String(key)] = next;
  return copy;
}

/** Every path in a tree, parents before children (the root's empty path included). */
export function allPaths(tree: unknown, prefix: Path = []): Path[] {
  const children = Array.isArray(tree) ? tree.map((v, i) => [i, v] as const) : isRecord(tree) ? Object.entries(tree) : [];
  return [prefix, ...children.flatMap(([key, value]) => allPaths(value, [...prefix, key]))];
}

export function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => path[i] === key);
}
