/**
 * The few Python string semantics the official evaluators rely on, so their rules carry over exactly:
 * `str.strip()` / `str.split()` whitespace (wider than JS's `\s`: it includes \x1c-\x1f and \x85, not
 * \uFEFF) and what `float()` accepts.
 */
const SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const EDGES = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, 'g');
const RUNS = new RegExp(`[${SPACE}]+`);
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Python `s.strip()`. */
export function strip(s: string): string {
  return s.replace(EDGES, '');
}

/** Python `s.split()`: runs of whitespace separate, no empty words. */
export function words(s: string): string[] {
  const t = strip(s);
  return t === '' ? [] : t.split(RUNS);
}

/** Python `float(s)` for finite literals in ASCII digits; undefined where Python raises (and for inf / nan). */
export function pyFloat(s: string): number | undefined {
  const t = strip(s);
  return FLOAT.test(t) ? Number(t) : undefined;
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r' };
const LIST_ITEM = /\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))\s*(,|\])/iy;

/**
 * Python `eval(s)` of a list literal of strings and numbers (how VLMEvalKit's TSVs store MathVista's
 * choices and skills, e.g. `['3/11', '8/11']`), items as text; undefined where it is no such list.
 */
export function pyStringList(s: string): string[] | undefined {
  const t = strip(s);
  if (!t.startsWith('[')) return undefined;
  if (/^\[\s*\]$/.test(t)) return [];
  const items: string[] = [];
  LIST_ITEM.lastIndex = 1;
  for (;;) {
    const m = LIST_ITEM.exec(t);
    if (m === null) return undefined;
    const quoted = m[1] ?? m[2];
    items.push(quoted === undefined ? m[3] : quoted.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? `\\${c}`));
    if (m[4] === ']') return LIST_ITEM.lastIndex === t.length ? items : undefined;
  }
}
