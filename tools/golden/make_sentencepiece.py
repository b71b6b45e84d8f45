#!/usr/bin/env python3
"""Golden token ids for packages/llm's SentencePiece reader (src/sentencepiece-model.ts and
src/llama-tokenizer-json.ts), computed with the sentencepiece library itself.

It trains two small BPE models the way LLaMA's tokenizer.model was trained (model_type=bpe,
byte_fallback, split_digits, identity normalisation, whitespace kept as it is, whitespace-only
pieces allowed, <unk>/<s>/</s> at ids 0/1/2) on the repository's Markdown as of CORPUS_COMMIT plus
a little generated text (digits, accents, CJK), and encodes a few hundred varied strings with `encode`:
  - llama-like.model: add_dummy_prefix=True, like LLaMA / Vicuna / LLaVA-1.5;
  - no-prefix.model: add_dummy_prefix=False (the case LlamaTokenizerFast converts with
    add_prefix_space=False);
  - tiny.model: 400 pieces from English text only, small enough for the generated tiny LLaVA's
    427-row embedding, with the ids of LLaVA-1.5's vicuna_v1 prompt chunks (VLM_CHUNKS).
sentencepiece's `encode` never adds BOS/EOS and never parses "<s>" in the text: both are recorded
as sentencepiece gives them (packages/llm/test/fixtures/sentencepiece/README.md says how the test
maps them onto LlamaTokenizerFast's conventions).

Install: apt-get install python3-sentencepiece   (Debian's /usr/bin/python3; 0.1.97 here)
Run from the repository root:
    /usr/bin/python3 tools/golden/make_sentencepiece.py
It writes packages/llm/test/fixtures/sentencepiece/{llama-like,no-prefix,tiny}.model and cases.json.
"""
import fnmatch
import io
import json
import os
import random
import subprocess

import sentencepiece as spm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "llm", "test", "fixtures", "sentencepiece")
VOCAB = 2000
CORPUS_COMMIT = "70617bc"

WORDS = ("the image shows a cat dog on table with two three red blue green small large tokens merge "
         "vision language model answer question what is in this picture describe café naïve résumé "
         "Zürich Ærø façade über déjà vu").split()
CJK = "图像中有一只猫在桌子上。这是什么？猫和狗。日本語のテキストです。한국어 문장입니다."
SYSTEM = ("A chat between a curious user and an artificial intelligence assistant. The assistant gives "
          "helpful, detailed, and polite answers to the user's questions.")
# The text chunks around the <image> placeholder of vicuna_v1's prompt for "What is in the image?"
# (packages/llm/src/templates.ts), as tokenize_image_token tokenizes them.
VLM_CHUNKS = [SYSTEM + " USER: ", "\nWhat is in the image? ASSISTANT:"]


def corpus_lines():
    # The Markdown as of a fixed commit, so that a rerun trains the same models whatever the docs say now.
    names = subprocess.run(["git", "-C", ROOT, "ls-tree", "-r", "--name-only", CORPUS_COMMIT], check=True,
                           capture_output=True, text=True).stdout.split()
    lines = []
    for path in sorted(n for n in names if fnmatch.fnmatch(n, "docs/*.md") or fnmatch.fnmatch(n, "packages/*/README.md")):
        text = subprocess.run(["git", "-C", ROOT, "show", f"{CORPUS_COMMIT}:{path}"], check=True, capture_output=True).stdout
        lines.extend(line for line in text.decode("utf-8").split("\n") if line.strip())
    rng = random.Random(7)
    for _ in range(3000):
        n = rng.randint(3, 12)
        words = [rng.choice(WORDS) for _ in range(n)]
        if rng.random() < 0.3:
            words.insert(rng.randint(0, n), str(rng.randint(0, 100000)))
        if rng.random() < 0.2:
            words.append(CJK[rng.randint(0, len(CJK) - 6):][:rng.randint(2, 6)])
        line = " ".join(words)
        if rng.random() < 0.2:
            line = "    " + line
        lines.append(line)
    return lines


def english_lines():
    rng = random.Random(5)
    words = [w for w in WORDS if w.isascii()]
    return [SYSTEM] * 20 + [" ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) for _ in range(2000)]


def train(lines, name, add_dummy_prefix, vocab=VOCAB):
    # From memory to memory, so that no path (which would differ per machine) lands in trainer_spec.
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, model_type="bpe", vocab_size=vocab,
        byte_fallback=True, split_digits=True, normalization_rule_name="identity",
        remove_extra_whitespaces=False, add_dummy_prefix=add_dummy_prefix,
        allow_whitespace_only_pieces=True, split_by_unicode_script=True, max_sentencepiece_length=16,
        character_coverage=0.9995, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        num_threads=2, minloglevel=2)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(model.getvalue())
    return spm.SentencePieceProcessor(model_proto=model.getvalue())


def cases():
    fixed = [
        "", " ", "  ", "   ", "\n", "\n\n", "\t", " \n ", "a", "A", "Hello", "Hello world", " Hello", "Hello ",
        "  Hello  world  ", "Hello\nworld", "Hello\n\nworld\n", "line one\r\nline two", "tab\tseparated\tvalues",
        "trailing spaces   ", "   leading spaces", "multiple     inner     spaces", "What is in the image?",
        "A chat between a curious user and an artificial intelligence assistant.",
        "USER: <image>\nWhat is shown? ASSISTANT:", "<s>", "</s>", "<unk>", "<s> Hello", "Hello </s>", "<s><s>",
        "1234567890", "3.14159", "2024-12-05", "$1,000,000.00", "10%", "x=42; y=-7", "0", "007",
        "Hello, world! How are you?", "(parenthesised) [bracketed] {braced}", "a--b...c!!!d???",
        "quotes \"double\" and 'single'", "path/to/file.txt", "user@example.com", "https://example.com/a?b=c&d=e",
        "café", "naïve résumé", "Zürich", "façade déjà vu", "Ærø", "Ελληνικά", "Русский текст", "עברית",
        "العربية", "हिन्दी", "ไทย", "图像中有一只猫", "这是什么？", "日本語のテキスト", "한국어 문장", "猫和狗在桌子上",
        "emoji 😀", "😀😃😄", "👍🏽", "🇫🇷", "👨‍👩‍👧", "mixed 猫 and café 42 😀", "\u00a0non-breaking\u00a0space",
        "zero\u200bwidth", "combining e\u0301", "ﬁ ligature", "Ⅻ", "①②③", "™ © ®", "½ ¾", "µ Ω ∑ ∫",
        "\u0000", "\u007f", "bell\u0007", "the the the the the", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ab" * 20,
        "Tokenization of a longer paragraph: the vision tower encodes the image, DyMU merges its tokens, and "
        "the language model answers with virtual token unmerging.",
    ]
    rng = random.Random(11)
    pool = WORDS + ["42", "2025", "猫", "😀", "é", ",", ".", "?", "!", "(", ")", "-", "'", "\"", "\n", "\t"]
    generated = []
    for _ in range(260):
        n = rng.randint(1, 10)
        parts = []
        for _ in range(n):
            parts.append(rng.choice(pool))
            parts.append(rng.choice([" ", " ", " ", "", "  ", "\n", "   "]))
        text = "".join(parts)
        if rng.random() < 0.15:
            text = " " * rng.randint(1, 3) + text
        generated.append(text)
    # A text that starts with a space also comes without it: the test needs both to state how
    # LlamaTokenizerFast with legacy=false treats a leading space.
    texts = fixed + generated
    for text in fixed + generated:
        while text.startswith(" "):
            text = text[1:]
            texts.append(text)
    return list(dict.fromkeys(texts))


def main():
    os.makedirs(OUT, exist_ok=True)
    models = {"llama-like.model": (train(corpus_lines(), "llama-like.model", True), cases()),
              "no-prefix.model": (train(corpus_lines(), "no-prefix.model", False), cases()),
              "tiny.model": (train(english_lines(), "tiny.model", True, vocab=400), VLM_CHUNKS)}
    result = {"generator": "tools/golden/make_sentencepiece.py", "sentencepiece": spm.__version__, "models": {}}
    for name, (sp, texts) in models.items():
        result["models"][name] = {
            "vocab_size": sp.get_piece_size(),
            "cases": [{"text": t, "ids": sp.encode(t), "decoded": sp.decode(sp.encode(t))} for t in texts],
        }
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(", ".join(f"{name}: {len(texts)} strings" for name, (_, texts) in models.items()))


if __name__ == "__main__":
    main()
