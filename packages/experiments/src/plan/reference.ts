import { DymuError } from '@dymu/core';
import type { ConfigPoint } from '../config/experiment.ts';

/**
 * The configuration whose runs a `{ name: random, like: LABEL }` policy takes its per-image,
 * per-block token counts from: the other configuration labelled LABEL on one sweep key and like
 * this one on every other key (the same dataset, the same other sweep values). Returns the index
 * of that configuration in `points`, or undefined when the policy of `points[index]` asks for none.
 * An unknown label (the labels are listed), a reference that is itself `like` another, or a label
 * that names several configurations is a DymuError at `policy.like`.
 */
export function referencePoint(points: readonly ConfigPoint[], index: number): number | undefined {
  const point = points[index];
  const like = likeLabel(point);
  if (like === undefined) return undefined;
  const where = point.origins.locate(['policy', 'like']);
  if (typeof like !== 'string') throw new DymuError(`expected the label of another row of the experiment, got ${JSON.stringify(like)}`, where);
  if (point.config.policy.name !== 'random') throw new DymuError(`only the random policy takes its counts from another row (this one is ${point.config.policy.name})`, where);
  const matches = points.flatMap((other, i) => {
    const key = Object.keys(other.labels).find((k) => other.labels[k] === like);
    if (i === index || key === undefined) return [];
    return Object.keys(other.labels).every((k) => k === key || other.labels[k] === point.labels[k]) ? [i] : [];
  });
  if (matches.length === 0) {
    const labels = [...new Set(points.flatMap((p, i) => (i === index ? [] : Object.values(p.labels))))];
    throw new DymuError(`no other row is labelled ${JSON.stringify(like)} on the same other labels (labels: ${labels.join(', ')})`, where);
  }
  if (matches.length > 1) throw new DymuError(`${matches.length} rows are labelled ${JSON.stringify(like)} (${matches.map((i) => Object.values(points[i].labels).join(', ')).join('; ')}): make the labels distinct`, where);
  const reference = points[matches[0]];
  if (likeLabel(reference) !== undefined) throw new DymuError(`row ${JSON.stringify(like)} takes its counts from another row itself: name a row that merges on its own (e.g. a DToMe row)`, where);
  return matches[0];
}

function likeLabel(point: ConfigPoint): unknown {
  return (point.config.policy as Readonly<Record<string, unknown>>).like;
}
