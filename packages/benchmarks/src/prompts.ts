/** LLaVA-1.5's instruction for short answers (VQAv2, GQA, TextVQA, POPE, MME). */
export const SHORT_ANSWER = 'Answer the question using a single word or phrase.';
/** LLaVA-1.5's instruction for multiple choice (`--single-pred-prompt`: ScienceQA, MMBench, SEED). */
export const LETTER_ANSWER = "Answer with the option's letter from the given choices directly.";

export const shortAnswer = (question: string): string => `${question}\n${SHORT_ANSWER}`;

/** The question, one "X. option" line per option (A, B, …), then the letter instruction. */
export function multipleChoice(question: string, options: readonly string[]): string {
  return [question, ...options.map((o, i) => `${String.fromCharCode(65 + i)}. ${o}`), LETTER_ANSWER].join('\n');
}
