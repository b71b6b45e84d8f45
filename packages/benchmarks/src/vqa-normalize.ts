import { strip, words } from './py.ts';

/**
 * Answer normalisation of the VQA evaluation API (`vqaEval.py`, GT-Vision-Lab/VQA) and of LLaVA's
 * `m4c_evaluator.EvalAIAnswerProcessor`, which share these tables. The capitalised keys of the official
 * contraction table (Im, Ive, Id've, I'dve) and its identity entries (let's, she's) are left out: lookups
 * happen after lower-casing, so they can never change a word. "somebody'd" → "somebodyd" is official.
 */
const CONTRACTIONS = new Map(Object.entries({
  aint: "ain't", arent: "aren't", cant: "can't", couldve: "could've", couldnt: "couldn't", "couldn'tve": "couldn't've",
  "couldnt've": "couldn't've", didnt: "didn't", doesnt: "doesn't", dont: "don't", hadnt: "hadn't", "hadnt've": "hadn't've",
  "hadn'tve": "hadn't've", hasnt: "hasn't", havent: "haven't", hed: "he'd", "hed've": "he'd've", "he'dve": "he'd've",
  hes: "he's", howd: "how'd", howll: "how'll", hows: "how's", isnt: "isn't", itd: "it'd", "itd've": "it'd've",
  "it'dve": "it'd've", itll: "it'll", maam: "ma'am", mightnt: "mightn't", "mightnt've": "mightn't've",
  "mightn'tve": "mightn't've", mightve: "might've", mustnt: "mustn't", mustve: "must've", neednt: "needn't",
  notve: "not've", oclock: "o'clock", oughtnt: "oughtn't", "ow's'at": "'ow's'at", "'ows'at": "'ow's'at",
  "'ow'sat": "'ow's'at", shant: "shan't", "shed've": "she'd've", "she'dve": "she'd've", shouldve: "should've",
  shouldnt: "shouldn't", "shouldnt've": "shouldn't've", "shouldn'tve": "shouldn't've", "somebody'd": 'somebodyd',
  "somebodyd've": "somebody'd've", "somebody'dve": "somebody'd've", somebodyll: "somebody'll", somebodys: "somebody's",
  someoned: "someone'd", "someoned've": "someone'd've", "someone'dve": "someone'd've", someonell: "someone'll",
  someones: "someone's", somethingd: "something'd", "somethingd've": "something'd've", "something'dve": "something'd've",
  somethingll: "something'll", thats: "that's", thered: "there'd", "thered've": "there'd've", "there'dve": "there'd've",
  therere: "there're", theres: "there's", theyd: "they'd", "theyd've": "they'd've", "they'dve": "they'd've",
  theyll: "they'll", theyre: "they're", theyve: "they've", twas: "'twas", wasnt: "wasn't", "wed've": "we'd've",
  "we'dve": "we'd've", weve: "we've", werent: "weren't", whatll: "what'll", whatre: "what're", whats: "what's",
  whatve: "what've", whens: "when's", whered: "where'd", wheres: "where's", whereve: "where've", whod: "who'd",
  "whod've": "who'd've", "who'dve": "who'd've", wholl: "who'll", whos: "who's", whove: "who've", whyll: "why'll",
  whyre: "why're", whys: "why's", wont: "won't", wouldve: "would've", wouldnt: "wouldn't", "wouldnt've": "wouldn't've",
  "wouldn'tve": "wouldn't've", yall: "y'all", "yall'll": "y'all'll", "y'allll": "y'all'll", "yall'd've": "y'all'd've",
  "y'alld've": "y'all'd've", "y'all'dve": "y'all'd've", youd: "you'd", "youd've": "you'd've", "you'dve": "you'd've",
  youll: "you'll", youre: "you're", youve: "you've",
}));
const NUMBERS = new Map(Object.entries({
  none: '0', zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
}));
const ARTICLES = new Set(['a', 'an', 'the']);
const PUNCTUATION = [';', '/', '[', ']', '"', '{', '}', '(', ')', '=', '+', '\\', '_', '-', '>', '<', '@', '`', ',', '?', '!'];
const COMMA_IN_NUMBER = /\p{Nd},\p{Nd}/u;
/** `(?!<=\d)(\.)(?!\d)`: the official pattern meant a lookbehind but is a lookahead, so it strips every '.' not followed by a digit. */
const PERIOD = /(?!<=\p{Nd})\.(?!\p{Nd})/gu;
/** vqaEval passes `re.UNICODE` (= 32) where `re.sub` takes its count, so at most 32 periods go. */
const PERIOD_LIMIT = 32;

/** `processPunctuation`: a mark next to a space (or anywhere, once the text has a digit,digit) is deleted, else it becomes a space. */
export function processPunctuation(text: string): string {
  const deleteAll = COMMA_IN_NUMBER.test(text);
  let out = text;
  for (const p of PUNCTUATION) {
    out = out.replaceAll(p, deleteAll || text.includes(`${p} `) || text.includes(` ${p}`) ? '' : ' ');
  }
  let periods = 0;
  return out.replace(PERIOD, (dot) => (periods++ < PERIOD_LIMIT ? '' : dot));
}

/** `processDigitArticle`: lower-case, number words to digits, articles dropped, contractions restored. */
export function processDigitArticle(text: string): string {
  return words(text.toLowerCase())
    .map((w) => NUMBERS.get(w) ?? w)
    .filter((w) => !ARTICLES.has(w))
    .map((w) => CONTRACTIONS.get(w) ?? w)
    .join(' ');
}

/** How `vqaEval.py` normalises a result answer before matching it against the annotators'. */
export function normalizeVqaAnswer(answer: string): string {
  return processDigitArticle(processPunctuation(strip(answer.replaceAll('\n', ' ').replaceAll('\t', ' '))));
}

/**
 * `EvalAIAnswerProcessor`: LLaVA applies it to TextVQA predictions and annotations before scoring, and to
 * VQAv2 answers before writing the test-dev submission. It first drops commas and question marks and splits
 * "'s" off ("it's" → "it 's").
 */
export function evalAiAnswer(answer: string): string {
  const tokenized = strip(answer.toLowerCase().replaceAll(',', '').replaceAll('?', '').replaceAll("'s", " 's"));
  return processDigitArticle(processPunctuation(strip(tokenized.replaceAll('\n', ' ').replaceAll('\t', ' '))));
}
