import { DymuError } from '@dymu/core';
import { allPaths, isRecord, parseShownPath, setPath, showPath, startsWith, type Path } from './tree.ts';

/** Where a value was written: the file (or `command line`) and its path there. */
export interface Origin {
  readonly file: string;
  readonly at: Path;
}

/**
 * Which file each part of a composed config came from, so an error names the file and the field
 * the user wrote (a base file of `extends`, an override, or an entry of `sweep`).
 */
export class Origins {
  private readonly entries = new Map<string, { path: Path; origin: Origin }>();

  /** Everything written in `file`, at the same paths. */
  static of(file: string): Origins {
    return Origins.at({ file, at: [] });
  }

  /** Everything written under `origin` (e.g. the parameters of one dataset entry). */
  static at(origin: Origin): Origins {
    const origins = new Origins();
    origins.mark([], origin);
    return origins;
  }

  /** Records the origin of `path` and of every path under `value`, forgetting what was recorded under `path` before. */
  replace(path: Path, value: unknown, origin: (sub: Path) => Origin): void {
    for (const [key, entry] of this.entries) if (startsWith(entry.path, path)) this.entries.delete(key);
    for (const sub of allPaths(value)) this.mark([...path, ...sub], origin(sub));
  }

  mark(path: Path, origin: Origin): void {
    this.entries.set(JSON.stringify(path), { path, origin });
  }

  /** The origin of `path`: its closest recorded ancestor's, extended by the rest of the path. */
  get(path: Path): Origin {
    for (let n = path.length; n >= 0; n--) {
      const entry = this.entries.get(JSON.stringify(path.slice(0, n)));
      if (entry) return { file: entry.origin.file, at: [...entry.origin.at, ...path.slice(n)] };
    }
    return { file: '', at: path };
  }

  /** Every file (or override) that wrote something here. */
  files(): Set<string> {
    return new Set([...this.entries.values()].map((e) => e.origin.file));
  }

  /** The file and field to name for a problem at `path`. */
  locate(path: Path): { file: string; field: string } {
    const origin = this.get(path);
    return { file: origin.file, field: showPath(origin.at) };
  }

  /** The origins of what is under `path`, addressed from there (a dataset entry's own fields: `dir` → `datasets[0].dir`). */
  under(path: Path): Origins {
    const scoped = Origins.at(this.get(path));
    for (const entry of this.entries.values()) if (startsWith(entry.path, path)) scoped.mark(entry.path.slice(path.length), entry.origin);
    return scoped;
  }

  clone(): Origins {
    const copy = new Origins();
    for (const [key, entry] of this.entries) copy.entries.set(key, entry);
    return copy;
  }
}

/**
 * An error an implementation raised while reading its parameters (the config at `at`), told where
 * the user wrote them. One about a parameter, which the implementation names `{ file: source, field:
 * prefix + its path }` (@dymu/merging: `tome.schedul`, `dtome.thresholds[3]`), is moved to that
 * parameter (`command-line override \`sweep.policy.ToMe.schedul=high\`: sweep.policy.ToMe.schedul:
 * unknown field …`); one about another file (a threshold file) gets the parameters' place in front.
 * Errors that are not DymuErrors are returned as they are.
 */
export function relocated(error: unknown, source: string | undefined, prefix: string, origins: Origins, at: Path): unknown {
  if (!(error instanceof DymuError)) return error;
  const rest = error.field?.slice(prefix.length);
  const own = error.file === source && error.field?.startsWith(prefix) && (rest === '' || rest?.startsWith('.') || rest?.startsWith('['));
  if (!own) return new DymuError(error.message, { ...origins.locate(at), cause: error });
  const reason = error.message.slice(`${[error.file, error.field].filter((s) => s !== undefined && s !== '').join(': ')}: `.length);
  return new DymuError(reason, { ...origins.locate([...at, ...parseShownPath(rest!)]), cause: error });
}

/** A config tree with the origin of each part. */
export interface Layered {
  readonly tree: Record<string, unknown>;
  readonly origins: Origins;
}

/** `layer` over `base`: maps merge key by key, anything else replaces; origins follow the values. */
export function mergeLayer(base: Layered, layer: Layered): Layered {
  const origins = base.origins.clone();
  const merge = (under: unknown, over: unknown, path: Path): unknown => {
    if (isRecord(under) && isRecord(over)) {
      origins.mark(path, layer.origins.get(path));
      const out: Record<string, unknown> = { ...under };
      for (const [key, value] of Object.entries(over)) out[key] = merge(under[key], value, [...path, key]);
      return out;
    }
    origins.replace(path, over, (sub) => layer.origins.get([...path, ...sub]));
    return over;
  };
  return { tree: merge(base.tree, layer.tree, []) as Record<string, unknown>, origins };
}

/** Sets fields of a layered config (`undefined` removes one), each with where its new value was written. */
export function assign(config: Layered, fields: readonly { path: Path; value: unknown; origin: (sub: Path) => Origin }[]): Layered {
  const origins = config.origins.clone();
  let tree: unknown = config.tree;
  for (const { path, value, origin } of fields) {
    tree = setPath(tree, path, value);
    origins.replace(path, value, origin);
  }
  return { tree: tree as Record<string, unknown>, origins };
}
