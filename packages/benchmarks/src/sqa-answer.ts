const OPTIONS = ['A', 'B', 'C', 'D', 'E'];

/**
 * LLaVA `eval_science_qa.py`: the answer is a bare option letter, or starts with "X. ", or contains
 * "The answer is X" followed by one more character exactly once; else "FAILED".
 */
export function parseScienceQaAnswer(text: string): string {
  if (OPTIONS.includes(text)) return text;
  if (text.length >= 3 && OPTIONS.includes(text[0]) && text.slice(1, 3) === '. ') return text[0];
  const found = [...text.matchAll(/The answer is ([A-Z])[^\n]/g)];
  return found.length === 1 ? found[0][1] : 'FAILED';
}

/** `get_pred_idx`: the choice index of a letter, −1 when it is not one of the problem's choices. */
export function choiceIndex(letter: string, choices: number): number {
  const i = OPTIONS.indexOf(letter);
  return i >= 0 && i < choices ? i : -1;
}
