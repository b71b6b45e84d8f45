import { percent } from './aggregate.ts';
import { canInfer } from './circular-eval.ts';
import { pyFloat, strip } from './py.ts';

/**
 * The five in-context examples of VLMEvalKit's `get_gpt4_ICE` (vlmeval/dataset/utils/mathvista.py),
 * verbatim: each "\n" of the Python source, written before a line break, doubles it.
 */
const MATHVISTA_ICE = [
  `
Hint: Please answer the question requiring an integer answer and provide the final value,
e.g., 1, 2, 3, at the end.\n
Question: Which number is missing?\n
Model response: The number missing in the sequence is 14.\n
Extracted answer: 14
`,
  `
Hint: Please answer the question requiring a floating-point number with one decimal place and provide the final value,
e.g., 1.2, 1.3, 1.4, at the end.\n
Question: What is the fraction of females facing the camera?\n
Model response: The fraction of females facing the camera is 0.6,
which means that six out of ten females in the group are facing the camera.\n
Extracted answer: 0.6
`,
  `
Hint: Please answer the question requiring a floating-point number with two decimal places and provide the final value,
e.g., 1.23, 1.34, 1.45, at the end.\n
Question: How much money does Luca need to buy a sour apple candy and a butter-scotch candy? (Unit: $)\n
Model response: Luca needs $1.45 to buy a sour apple candy and a butterscotch candy.\n
Extracted answer: 1.45
`,
  `
Hint: Please answer the question requiring a Python list as an answer and provide the final list,
e.g., [1, 2, 3], [1.2, 1.3, 1.4], at the end.\n
Question: Between which two years does the line graph saw its maximum peak?\n
Model response: The line graph saw its maximum peak between 2007 and 2008.\n
Extracted answer: [2007, 2008]
`,
  `
Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.\n
Question: What fraction of the shape is blue?\n
Choices: (A) 3/11 (B) 8/11 (C) 6/11 (D) 3/5\n
Model response: The correct answer is (B) 8/11.\n
Extracted answer: B
`,
];

const TASK_DESCRIPTION = `
Please read the following example.
Then extract the answer from the model response and type it at the end of the prompt.\n
`;

/**
 * VLMEvalKit `build_mathvista_gpt4_prompt`: the task description, the examples, the question (the TSV's,
 * with its hint and choices), the model's answer, verbatim down to "Model respone" and the missing line
 * break before "Extracted answer:".
 */
export function mathvistaJudgePrompt(question: string, prediction: string): string {
  return `${TASK_DESCRIPTION}${MATHVISTA_ICE.map((e) => `${e}\n`).join('')}${question}\nModel respone: ${prediction}Extracted answer:`;
}

/** What `post_check` compares an answer with. */
export interface MathVistaKey {
  questionType: string;
  answerType: string;
  answer: string;
  /** multi_choice: the right letter (`answer_option`) and letter → option text (`choices`, lettered A, B, …). */
  answerOption?: string;
  choices: Readonly<Record<string, string>>;
}

const INT = /^[+-]?\d+(_\d+)*$/;
/** Python `int(s)` for ASCII digits; undefined where Python raises. */
const pyInt = (s: string): number | undefined => (INT.test(strip(s)) ? Number(strip(s).replaceAll('_', '')) : undefined);

/**
 * VLMEvalKit `post_check(line, prefetch)` on a response: for multi_choice the letter `can_infer` reads
 * (compared with `answer_option`); integer / float answers as Python's int() / float() read them,
 * compared exactly; any other answer type ("text", "list") compares the str() of a value never set,
 * "None", so it is right only if the answer is "None" (a VLMEvalKit quirk kept). Returns what
 * `post_check(prefetch=True)` returns: the value read when it is right (multi_choice: whatever letter
 * was read), else undefined.
 */
function check(key: MathVistaKey, response: string): { value: string | undefined; right: boolean } {
  if (key.questionType === 'multi_choice') {
    const letter = canInfer(response, key.choices);
    return { value: letter, right: letter !== undefined && letter === key.answerOption };
  }
  const read = key.answerType === 'integer' ? pyInt : key.answerType === 'float' ? pyFloat : undefined;
  if (read === undefined) return key.answer === 'None' ? { value: 'None', right: true } : { value: undefined, right: false };
  const [res, ans] = [read(response), read(key.answer)];
  return res !== undefined && res === ans ? { value: String(res), right: true } : { value: undefined, right: false };
}

/**
 * The rule-based pre-extraction (`post_check(prefetch=True)` in `MathVista_auxeval`): the answer the rules
 * read from the model's response without a judge, or undefined when the judge must extract it. Python's
 * truth test applies, so a right answer of 0 is still sent to the judge.
 */
export function mathvistaPrefetch(key: MathVistaKey, prediction: string): string | undefined {
  const { value } = check(key, prediction);
  return value === undefined || (key.questionType !== 'multi_choice' && Number(value) === 0) ? undefined : value;
}

/** `post_check(prefetch=False)`: whether the extracted answer (prefetched, or the judge's reply) is right. */
export function mathvistaCorrect(key: MathVistaKey, extracted: string): boolean {
  return check(key, extracted).right;
}

export interface MathVistaGraded {
  task: string;
  skills: readonly string[];
  questionType: string;
  prefetched: boolean;
  hit: boolean;
}

/**
 * `MathVista_acc`: accuracy (%) overall (`accuracy`), per task (`accuracy.task.<task>`), per skill
 * (`accuracy.skill.<skill>`), plus per question type (`accuracy.question_type.<type>`) and the share
 * answered by the rules alone (`prefetch_rate`, %).
 */
export function mathvistaScores(items: readonly MathVistaGraded[]): Record<string, number> {
  const metrics: Record<string, number> = { accuracy: percent(items.map((i) => (i.hit ? 1 : 0))), prefetch_rate: percent(items.map((i) => (i.prefetched ? 1 : 0))) };
  const groups: [string, (i: MathVistaGraded) => readonly string[]][] = [['task', (i) => [i.task]], ['skill', (i) => i.skills], ['question_type', (i) => [i.questionType]]];
  for (const [prefix, keys] of groups) {
    for (const key of [...new Set(items.flatMap(keys))].sort()) {
      metrics[`accuracy.${prefix}.${key}`] = percent(items.filter((i) => keys(i).includes(key)).map((i) => (i.hit ? 1 : 0)));
    }
  }
  return metrics;
}
