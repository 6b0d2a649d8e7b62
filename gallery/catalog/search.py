"""Full-text product search behind one function: SQLite FTS5 or PostgreSQL text search.

Both databases index `products.search_text` (name, category, producer and description, composed
by `compose_search_text`) and match every word of the query as a prefix, so "rendang" finds
"Rendang Lokan" and "kerip" finds "Keripik Sanjai" on either database.

Ranking: a product holding more of the query's words whole ranks first, then the database's own
relevance (FTS5 bm25, PostgreSQL ts_rank), so "kopi" lists "Kopi Robusta" before "Kopiah Songket"
(where "kopi" is only the start of a word). Typos are gallery.catalog.spelling's job.
"""
from __future__ import annotations

import re

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from gallery.extensions import db

MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)

# The index itself (an FTS5 table with triggers on SQLite, created by migration 0001; on PostgreSQL a
# stored `search_vector` column generated from search_text with a GIN index, migration 0016).


def compose_search_text(*parts: str | None) -> str:
    """Join the searchable fields of a product into one document."""
    return "\n".join(part.strip() for part in parts if part and part.strip())


def search_terms(query: str) -> list[str]:
    """Split a shopper's query into at most MAX_TERMS lower-case words (punctuation dropped)."""
    return [word.lower() for word in _WORD.findall(query or "")][:MAX_TERMS]


def matching_products(query: str) -> Select | None:
    """Return `SELECT product_id, exact_words, score` for products matching every word as a prefix.

    `exact_words` counts the query's words the product holds whole (more ranks first), `score` is the
    database's relevance (lower ranks first). None when the query holds no searchable word.
    """
    terms = search_terms(query)
    if not terms:
        return None
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        return _sqlite_matches(terms)
    if dialect == "postgresql":
        return _postgres_matches(terms)
    raise RuntimeError(f"search is not implemented for {dialect}")


def _fts_phrase(term: str) -> str:
    return '"%s"' % term.replace('"', "")


def _sqlite_matches(terms: list[str]) -> Select:
    fts = table("product_search", column("rowid"), column("rank"))
    match = literal_column("product_search").op("MATCH")
    prefixes = " ".join(_fts_phrase(term) + "*" for term in terms)
    # Each word's whole-word matches are one lookup in the index (an uncorrelated IN is run once).
    exact: ColumnElement = sum(
        (case((fts.c.rowid.in_(select(fts.c.rowid).where(match(bindparam(f"fts_exact_{i}", _fts_phrase(term))))),
               1), else_=0) for i, term in enumerate(terms)),
        start=literal_column("0"),
    )
    return select(
        fts.c.rowid.label("product_id"), exact.label("exact_words"), fts.c.rank.label("score")
    ).where(match(bindparam("fts_query", prefixes)))


def _postgres_matches(terms: list[str]) -> Select:
    # `search_vector` is stored and GIN-indexed (migration 0016): nothing is tokenised again to match or rank.
    vector = literal_column("products.search_vector")
    exact: ColumnElement = sum(
        (cast(vector.op("@@")(func.plainto_tsquery(literal_column("'simple'"), bindparam(f"ts_exact_{i}", term))),
              Integer) for i, term in enumerate(terms)),
        start=literal_column("0"),
    )
    expression = " & ".join(f"{term}:*" for term in terms)
    return select(
        literal_column("products.id").label("product_id"),
        exact.label("exact_words"),
        (-literal_column("ts_rank(products.search_vector, q.query)")).label("score"),
    ).select_from(
        text("products, to_tsquery('simple', :ts_query) AS q(query)").bindparams(ts_query=expression)
    ).where(literal_column("products.search_vector @@ q.query"))
