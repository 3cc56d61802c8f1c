"""Content fingerprints of article text: an exact hash and a near-duplicate sketch of word shingles.

- ``content_hash``: SHA-1 of the normalised text (case, ё/е, punctuation and spacing folded), so the
  same text at another URL of the same site is one article.
- ``shingle_sketch``: the 63-bit hashes of the text's word 3-shingles that fall in a fixed sample
  (hash mod 8 == 0, at most 64 of them, the smallest: Broder's mod-k / bottom-k sampling). Two reprints
  of one press release share most of their sketch even when the first sentence and the title were
  rewritten, so the store can find candidates with indexed lookups; ``resemblance`` then confirms them
  with the Jaccard similarity of the full shingle sets.
- ``sketch_may_match``: the bottom-k estimate of that Jaccard from two sketches alone, so a candidate whose
  sketch is far from the text's is set aside without reading its text (a cheap, conservative pre-check).
- ``Fingerprint``: all of these for one text, its words split once.
"""

from __future__ import annotations

import hashlib
import math
import re
import zlib
from array import array
from functools import cached_property

WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE_SIZE = 3
SAMPLE_MODULUS = 8
SKETCH_SIZE = 64
MIN_WORDS_FOR_REPRINT = 60      # shorter notices share templates too easily to call them reprints
REPRINT_RESEMBLANCE = 0.55      # Jaccard of 3-shingle sets above which two long texts are one story


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("ё", "е"))


def content_hash(text: str) -> str:
    return Fingerprint(text).content_hash


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
    return Fingerprint(text).sketch


class Fingerprint:
    """The content hash, sketch and shingles of one text, its words split once (each built when first asked)."""

    def __init__(self, text: str) -> None:
        self.text = text

    @classmethod
    def from_parts(cls, text: str, parts: tuple) -> Fingerprint:
        """A fingerprint of ``text`` whose hash, sketch and shingle hashes were computed elsewhere (:meth:`parts`)."""
        fingerprint = cls(text)
        content_hash, sketch, shingle_hashes = parts
        fingerprint.__dict__.update(content_hash=content_hash, sketch=list(sketch),
                                    shingle_hashes=frozenset(shingle_hashes))
        return fingerprint

    def parts(self) -> tuple[str, list[int], array]:
        """(content hash, sketch, shingle hashes): what :meth:`from_parts` takes, compact to send to a process."""
        return self.content_hash, self.sketch, array("q", self.shingle_hashes)

    @cached_property
    def tokens(self) -> list[str]:
        return words(self.text)

    @cached_property
    def content_hash(self) -> str:
        return hashlib.sha1(" ".join(self.tokens).encode("utf-8")).hexdigest()

    @cached_property
    def shingle_hashes(self) -> frozenset[int]:
        """The 63-bit hashes of all the text's 3-shingles (for Jaccard: collisions are negligible at 2⁻⁶³)."""
        return frozenset(_shingle_hashes_of(self.tokens))

    @cached_property
    def shingles(self) -> set[tuple[str, ...]]:
        return _shingles_of(self.tokens)

    @cached_property
    def sketch(self) -> list[int]:
        if len(self.tokens) < MIN_WORDS_FOR_REPRINT:
            return []
        return sorted(h for h in self.shingle_hashes if h % SAMPLE_MODULUS == 0)[:SKETCH_SIZE]


# how many standard errors below REPRINT_RESEMBLANCE a sketch estimate may fall and its text still be read:
# a true reprint (Jaccard ≥ 0.55) is set aside by the pre-check with probability < 0.03 % (normal tail at 3.5 σ;
# the estimate samples without replacement, so its spread is smaller still)
SKETCH_MARGIN_SIGMAS = 3.5


def sketch_resemblance(a: list[int], b: list[int]) -> tuple[float, int]:
    """Bottom-k estimate of the Jaccard similarity of two texts from their sketches: (estimate, k).

    Each sketch is the ``len(sketch)`` smallest of its text's sampled shingle hashes, so the k smallest
    hashes of their union (k = the shorter sketch's length) are a uniform sample of the union of both texts'
    sampled shingles; the share of them that both sketches hold estimates the Jaccard similarity.
    """
    k = min(len(a), len(b))
    if k == 0:
        return 0.0, 0
    both = set(a) & set(b)
    union = sorted(set(a) | set(b))[:k]
    return sum(1 for h in union if h in both) / k, k


def sketch_may_match(a: list[int], b: list[int]) -> bool:
    """False only when the sketches show the texts are surely less alike than a reprint (see above)."""
    estimate, k = sketch_resemblance(a, b)
    if k == 0:
        return True  # nothing to estimate from: let the full check decide
    spread = math.sqrt(REPRINT_RESEMBLANCE * (1 - REPRINT_RESEMBLANCE) / k)
    return estimate >= REPRINT_RESEMBLANCE - SKETCH_MARGIN_SIGMAS * spread


def parse_sketch(stored: str) -> list[int]:
    """A sketch as the store keeps it (hashes, space-separated) back as a list."""
    return [int(h) for h in stored.split()] if stored else []


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def resemblance(text: str, other: str) -> float:
    """Jaccard similarity of the two texts' 3-shingle sets (the shingles themselves, not their hashes)."""
    return jaccard(shingles(text), shingles(other))
