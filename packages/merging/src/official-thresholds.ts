import { array, at, fail, finite, object, string, type Where } from './fields.ts';

/**
 * Per-block thresholds quoted from the official DyMU repository (its encoder demos print them as
 * an example): `{ note, variants: [{ encoder, variant, thresholds }] }`, one list per encoder.
 * They were not calibrated by this project, so nothing ties them to a weights hash.
 */
export interface OfficialExample {
  readonly note: string;
  readonly variants: readonly OfficialVariant[];
}

export interface OfficialVariant {
  /** The checkpoint the thresholds belong to, e.g. `openai/clip-vit-large-patch14-336`. */
  readonly encoder: string;
  /** The official variant's description, e.g. `low (ViT-L-14-336-tome-72out, …)`. */
  readonly variant: string;
  /** τ_i per block. */
  readonly thresholds: readonly number[];
}

/** Whether parsed JSON is in the official example's shape (a `variants` list, no `format`). */
export function isOfficialExample(raw: unknown): boolean {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'variants' in raw && !('format' in raw);
}

export function parseOfficialExample(raw: unknown, path: string): OfficialExample {
  const where = (field: string): Where => ({ file: path, field });
  const o = object(raw, where(''), ['note', 'variants']);
  const variants = array(o.variants, where('variants')).map((v, i) => {
    const w = where(`variants[${i}]`);
    const entry = object(v, w, ['encoder', 'variant', 'thresholds']);
    const thresholds = array(entry.thresholds, at(w, 'thresholds')).map((t, j) => finite(t, at(at(w, 'thresholds'), j)));
    if (thresholds.length === 0) fail(at(w, 'thresholds'), 'expected at least one threshold');
    return { encoder: string(entry.encoder, at(w, 'encoder')), variant: string(entry.variant, at(w, 'variant')), thresholds };
  });
  if (variants.length === 0) fail(where('variants'), 'expected at least one variant');
  return { note: o.note === undefined ? '' : string(o.note, where('note')), variants };
}

/**
 * One variant of an official example: the one named by `selector` (its index or its encoder), else
 * the only one with `blocks` thresholds (an encoder's depth), else the only one there is.
 */
export function officialVariant(example: OfficialExample, path: string, options: { selector?: string; blocks?: number } = {}): OfficialVariant {
  const { variants } = example;
  const listed = variants.map((v, i) => `#${i} ${v.encoder} (${v.thresholds.length} blocks)`).join(', ');
  if (options.selector !== undefined) {
    const found = /^\d+$/.test(options.selector) ? variants[Number(options.selector)] : variants.find((v) => v.encoder === options.selector);
    return found ?? fail({ file: path, field: 'variants' }, `no variant ${JSON.stringify(options.selector)} (the file has ${listed})`);
  }
  const candidates = options.blocks === undefined ? variants : variants.filter((v) => v.thresholds.length === options.blocks);
  if (candidates.length === 1) return candidates[0];
  const why = options.blocks === undefined ? `${variants.length} variants` : `${candidates.length} variants with ${options.blocks} blocks`;
  return fail({ file: path, field: 'variants' }, `${why}: name one as ${path}#<index or encoder> (the file has ${listed})`);
}
