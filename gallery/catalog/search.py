"""Full-text product search behind one function: SQLite FTS5 or PostgreSQL text search.

Both databases index `products.search_text` (name, category, producer and description, composed
by `compose_search_text`) and match every word of the query as a prefix, so "rendang" finds
"Rendang Lokan" and "kerip" finds "Keripik Sanjai" on either database.
"""
from __future__ import annotations

import re

from sqlalchemy import Select, bindparam, column, literal_column, select, table, text

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
    """Return `SELECT product_id, score` for products matching every word (lower score ranks first).

    None when the query holds no searchable word.
    """
    terms = search_terms(query)
    if not terms:
        return None
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        expression = " ".join('"%s"*' % term.replace('"', "") for term in terms)
        fts = table("product_search", column("rowid"), column("rank"))
        return (
            select(fts.c.rowid.label("product_id"), fts.c.rank.label("score"))
            .where(literal_column("product_search").op("MATCH")(bindparam("fts_query", expression)))
        )
    if dialect == "postgresql":
        expression = " & ".join(f"{term}:*" for term in terms)
        # `search_vector` is stored and GIN-indexed (migration 0016): nothing is tokenised again to match or rank.
        return select(
            literal_column("products.id").label("product_id"),
            (-literal_column("ts_rank(products.search_vector, q.query)")).label("score"),
        ).select_from(
            text("products, to_tsquery('simple', :ts_query) AS q(query)").bindparams(ts_query=expression)
        ).where(literal_column("products.search_vector @@ q.query"))
    raise RuntimeError(f"search is not implemented for {dialect}")
