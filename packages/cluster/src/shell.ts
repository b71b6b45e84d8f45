const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A word as bash reads it back unchanged: bare when it is safe, else single-quoted. */
export function shellQuote(word: string): string {
  return PLAIN.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line of words, each quoted as needed. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
