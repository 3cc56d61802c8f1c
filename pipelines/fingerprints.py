"""Content fingerprints of article text: an exact hash and a near-duplicate sketch of word shingles.

- ``content_hash``: SHA-1 of the normalised text (case, ё/е, punctuation and spacing folded), so the
  same text at another URL of the same site is one article.
- ``shingle_sketch``: the 63-bit hashes of the text's word 3-shingles that fall in a fixed sample
  (hash mod 8 == 0, at most 64 of them, the smallest: Broder's mod-k / bottom-k sampling). Two reprints
  of one press release share most of their sketch even when the first sentence and the title were
  rewritten, so the store can find candidates with indexed lookups; ``resemblance`` then confirms them
  with the Jaccard similarity of the full shingle sets.
"""

from __future__ import annotations

import hashlib
import re
import zlib

WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE_SIZE = 3
SAMPLE_MODULUS = 8
SKETCH_SIZE = 64
MIN_WORDS_FOR_REPRINT = 60      # shorter notices share templates too easily to call them reprints
REPRINT_RESEMBLANCE = 0.55      # Jaccard of 3-shingle sets above which two long texts are one story


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("ё", "е"))


def content_hash(text: str) -> str:
    return hashlib.sha1(" ".join(words(text)).encode("utf-8")).hexdigest()


_MASK63 = (1 << 63) - 1


def _word_hashes(tokens: list[str]) -> list[int]:
    table = {word: zlib.crc32(word.encode("utf-8")) for word in set(tokens)}
    return [table[word] for word in tokens]


def _shingle_hashes_of(tokens: list[str]) -> set[int]:
    """63-bit hashes of the 3-shingles: the words' CRC-32s combined and mixed (splitmix64's finaliser).

    Stable across processes and machines (unlike ``hash()``), and three times cheaper than hashing each
    shingle's text with blake2b.
    """
    h = _word_hashes(tokens)
    found = set()
    for x, y, z in zip(h, h[1:], h[2:], strict=False):
        value = ((x << 42) ^ (y << 21) ^ z) * 0x9E3779B97F4A7C15 & _MASK63
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9 & _MASK63
        found.add(value ^ (value >> 31))
    return found


def shingles(text: str) -> set[tuple[str, ...]]:
    """The text's word 3-shingles, as tuples of words (cheap to build; no hashing)."""
    return _shingles_of(words(text))


def _shingles_of(tokens: list[str]) -> set[tuple[str, ...]]:
    return set(zip(*(tokens[i:] for i in range(SHINGLE_SIZE)), strict=False))


def shingle_hashes(text: str) -> set[int]:
    return _shingle_hashes_of(words(text))


def shingle_sketch(text: str) -> list[int]:
    """The sampled shingle hashes of ``text`` (empty for texts too short to be called reprints)."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS_FOR_REPRINT:
        return []
    hashes = _shingle_hashes_of(tokens)
    return sorted(h for h in hashes if h % SAMPLE_MODULUS == 0)[:SKETCH_SIZE]


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def resemblance(text: str, other: str) -> float:
    """Jaccard similarity of the two texts' 3-shingle sets (the shingles themselves, not their hashes)."""
    return jaccard(shingles(text), shingles(other))
