"""BERT's uncased WordPiece tokenizer, from a `tokenizer.json` vocabulary (what the offline embedder reads).

It follows the Hugging Face `BertNormalizer` (clean text, pad CJK characters, strip accents, lowercase), the
`BertPreTokenizer` (split on whitespace and punctuation) and greedy longest-match WordPiece with `##` pieces.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

_MAX_WORD_CHARS = 100
"""Longer words become one unknown token, as in BERT."""


class WordPieceTokenizer:
    """Turns text into BERT token ids: `[CLS] pieces… [SEP]`, cut to `max_length` tokens."""

    def __init__(self, vocab: Mapping[str, int], *, max_length: int = 256) -> None:
        """Use `vocab` (token → id); it must hold `[CLS]`, `[SEP]` and `[UNK]`."""
        self.vocab = dict(vocab)
        self.max_length = max_length
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        self.unk_id = self.vocab["[UNK]"]

    def encode(self, text: str) -> list[int]:
        """The token ids of `text`, with the special tokens, at most `max_length` of them."""
        ids: list[int] = []
        for word in _pre_tokenize(_normalize(text)):
            ids.extend(self._pieces(word))
        return [self.cls_id, *ids[: self.max_length - 2], self.sep_id]

    def _pieces(self, word: str) -> list[int]:
        if len(word) > _MAX_WORD_CHARS:
            return [self.unk_id]
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found: int | None = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return [self.unk_id]  # one unmatchable piece makes the whole word unknown
            pieces.append(found)
            start = end
        return pieces


def _normalize(text: str) -> str:
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD) or _is_control(char):
            continue
        if _is_cjk(code):
            out.extend((" ", char, " "))
        elif char.isspace():
            out.append(" ")
        else:
            out.append(char)
    decomposed = unicodedata.normalize("NFD", "".join(out).lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _pre_tokenize(text: str) -> list[str]:
    words: list[str] = []
    for chunk in text.split():
        current: list[str] = []
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(char)
            else:
                current.append(char)
        if current:
            words.append("".join(current))
    return words


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # BERT counts every non-alphanumeric ASCII symbol as punctuation, e.g. "$" and "^".
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )
