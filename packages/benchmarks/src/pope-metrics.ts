import { percent } from './aggregate.ts';

export type YesNo = 'yes' | 'no';

/**
 * LLaVA's `eval_pope.py` reading of an answer: keep the text before the first '.', drop commas, split on
 * spaces; "No", "not" or "no" among the words means no, anything else yes.
 */
export function parsePopeAnswer(answer: string): YesNo {
  const sentence = answer.includes('.') ? answer.split('.')[0] : answer;
  const ws = sentence.replaceAll(',', '').split(' ');
  return ws.includes('No') || ws.includes('not') || ws.includes('no') ? 'no' : 'yes';
}

export interface PopeMetrics {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** Percentages; precision, recall and F1 are NaN where eval_pope.py would divide by zero. */
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  yesRatio: number;
}

/** POPE's metrics with "yes" as the positive class. */
export function popeMetrics(items: readonly { predicted: YesNo; label: YesNo }[]): PopeMetrics {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (const { predicted, label } of items) {
    if (predicted === 'yes' && label === 'yes') tp++;
    else if (predicted === 'yes') fp++;
    else if (label === 'no') tn++;
    else fn++;
  }
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  return {
    tp, fp, tn, fn,
    accuracy: percent(items.map((i) => (i.predicted === i.label ? 1 : 0))),
    precision: 100 * precision,
    recall: 100 * recall,
    f1: (100 * 2 * precision * recall) / (precision + recall),
    yesRatio: percent(items.map((i) => (i.predicted === 'yes' ? 1 : 0))),
  };
}
