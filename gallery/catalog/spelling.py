"""Did you mean: a query's words respelt as the words the products hold, for a search that finds little.

The rule, the same on both databases: a word of the query (three letters or more, not a number) that is
neither a word of the search index nor the start of one is replaced by the index word most similar to
it, by trigram similarity as pg_trgm measures it (the trigrams both share over all the trigrams of
either, each word padded as pg_trgm pads it), if at least SIMILARITY_THRESHOLD; of equally similar
words the first in alphabetical order. So "rendng" becomes "rendang". A word the
index does hold (a producer's own typo, say) may still be respelt, but only as a closer word
(KNOWN_WORD_THRESHOLD) that does not merely continue it; the listing offers that only when it finds
more products (gallery.catalog.queries.list_products).

Where the words come from (migration 0019c): on PostgreSQL `product_search_words`, kept by triggers
and searched through pg_trgm's GIN trigram index, which hands over the few most similar candidates;
on SQLite the FTS5 vocabulary of the search index (`product_search_vocab`), read whole and measured
here. Either way one statement, and the correction is cached under the catalogue's products version
(gallery.cache.memoize), so it follows every change of a product's words.
"""
from __future__ import annotations

import re

from sqlalchemy import text

from gallery.cache import memoize
from gallery.catalog.search import search_terms
from gallery.extensions import db

SIMILARITY_THRESHOLD = 0.3  # pg_trgm's default `pg_trgm.similarity_threshold`, which `%` uses
KNOWN_WORD_THRESHOLD = 0.5  # "rendng" → "rendang" is 0.5; "kopi" → "kopra" (0.375) is not offered
CANDIDATES_PER_WORD = 5
MIN_LETTERS = 3
_TRIGRAM_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # pg_trgm splits on what is not a letter or digit

# The words that start with the term are those from it (inclusive) to it followed by the last code
# point (exclusive): a range the C-collated primary key answers without reading the table.
_POSTGRES_CANDIDATES = text("""
SELECT t.term, t.known, w.word
FROM (
    SELECT term, EXISTS (
        SELECT 1 FROM product_search_words AS k WHERE k.word >= term AND k.word < term || chr(1114111)
    ) AS known
    FROM unnest(CAST(:terms AS text[])) AS term
) AS t
LEFT JOIN LATERAL (
    SELECT word FROM product_search_words
    WHERE word % t.term
    ORDER BY similarity(word, t.term) DESC, word
    LIMIT :per_word
) AS w ON true
""")
_SQLITE_VOCABULARY = text("SELECT term FROM product_search_vocab")


def trigrams(value: str) -> set[str]:
    """The trigrams pg_trgm takes from a string: of each word, lower-cased, padded by two spaces before
    and one after."""
    found: set[str] = set()
    for word in _TRIGRAM_WORD.findall(value.lower()):
        padded = f"  {word} "
        found.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return found


def similarity(a: str, b: str) -> float:
    """pg_trgm's `similarity(a, b)`: shared trigrams over all the trigrams of either (0 to 1)."""
    return _similarity(trigrams(a), trigrams(b))


def _similarity(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def _correctable(term: str) -> bool:
    return len(term) >= MIN_LETTERS and not term.isdigit()


def best_word(term: str, candidates: list[str], threshold: float = SIMILARITY_THRESHOLD) -> str | None:
    """The candidate most similar to `term` at or above the threshold (alphabetically first of equals), or None."""
    mine = trigrams(term)
    best: tuple[float, str] | None = None
    for word in candidates:
        score = _similarity(mine, trigrams(word))
        if score >= threshold and (best is None or (-score, word) < (-best[0], best[1])):
            best = (score, word)
    return best[1] if best else None


def _postgres_candidates(terms: list[str]) -> dict[str, tuple[bool, list[str]]]:
    found: dict[str, tuple[bool, list[str]]] = {}
    for term, known, word in db.session.execute(_POSTGRES_CANDIDATES, {"terms": terms,
                                                                      "per_word": CANDIDATES_PER_WORD}):
        _, words = found.setdefault(term, (bool(known), []))
        if word is not None:
            words.append(word)
    return found


def _sqlite_candidates(terms: list[str]) -> dict[str, tuple[bool, list[str]]]:
    vocabulary = list(db.session.scalars(_SQLITE_VOCABULARY))
    return {term: (any(word.startswith(term) for word in vocabulary), vocabulary) for term in terms}


def _corrections(terms: list[str]) -> dict[str, str]:
    """For each word among `terms` that has a better spelling, that spelling (the others are left out)."""
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = _postgres_candidates(terms)
    else:
        candidates = _sqlite_candidates(terms)
    corrections = {}
    for term, (known, words) in candidates.items():
        if known:
            word = best_word(term, [w for w in words if not w.startswith(term)], KNOWN_WORD_THRESHOLD)
        else:
            word = best_word(term, words)
        if word is not None:
            corrections[term] = word
    return corrections


def corrected_query(query: str) -> str | None:
    """The query respelt (see the module docstring), or None when no word changes."""
    terms = search_terms(query)
    correctable = sorted({term for term in terms if _correctable(term)})
    if not correctable:
        return None

    def compute() -> str | None:
        corrections = _corrections(correctable)
        if not corrections:
            return None
        return " ".join(corrections.get(term, term) for term in terms)

    return memoize("did-you-mean", "products", (" ".join(terms),), compute)
