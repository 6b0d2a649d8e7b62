"""Search that tolerates typos: the vocabulary of the product search index, for "did you mean"

Revision ID: 0019c
Revises: 0019b
Create Date: 2026-11-26 17:00:00

When a search finds little, each unknown word of the query is replaced by the most similar word of
the products' own vocabulary (gallery.catalog.spelling), so "rendng" finds Rendang.

* PostgreSQL: `pg_trgm` (shipped with postgresql-contrib; trusted, so a database owner may create
  it) and `product_search_words`: every word of `products.search_vector`, kept by statement-level
  triggers on `products` and searched through a GIN trigram index (`word % :term`).
* SQLite: `product_search_vocab`, an fts5vocab table over the existing FTS5 index `product_search`
  (migration 0001): FTS5 keeps the words itself, in the very tokens the search matches; SQLite
  triggers cannot split text into words, and an FTS5 trigram table would only give substrings, so
  the similarity is computed in Python over that bounded vocabulary (a few thousand words for the
  bench's 50,000 products, read in ~20 ms, once per catalogue version and query).

Downgrading leaves the pg_trgm extension installed: it may have been there before, for others.
No batch operation touches `products` (its search triggers would be dropped on SQLite).
"""
from alembic import op

revision = '0019c'
down_revision = '0019b'
branch_labels = None
depends_on = None

# New words are added (an existing one is left as it is: no row version, no lock, so a bulk load does
# not rewrite the common words at every row). A word a product lost (deleted, or no longer in its text)
# is deleted once no product holds it: one probe of the search index per lost word, and an edit loses
# only the words it changed.
POSTGRES_SYNC_FUNCTION = """
CREATE FUNCTION product_search_words_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lost text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO product_search_words (word)
      SELECT DISTINCT lexeme FROM new_rows, unnest(new_rows.search_vector) ORDER BY 1
      ON CONFLICT (word) DO NOTHING;
    RETURN NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO product_search_words (word)
      SELECT DISTINCT lexeme FROM old_rows JOIN new_rows USING (id), unnest(new_rows.search_vector)
      WHERE old_rows.search_text IS DISTINCT FROM new_rows.search_text ORDER BY 1
      ON CONFLICT (word) DO NOTHING;
    SELECT array_agg(DISTINCT lexeme) INTO lost
      FROM old_rows JOIN new_rows USING (id), unnest(old_rows.search_vector)
      WHERE old_rows.search_text IS DISTINCT FROM new_rows.search_text
        AND lexeme <> ALL (tsvector_to_array(new_rows.search_vector));
  ELSE
    SELECT array_agg(DISTINCT lexeme) INTO lost FROM old_rows, unnest(old_rows.search_vector);
  END IF;
  IF lost IS NOT NULL THEN
    DELETE FROM product_search_words AS known
      WHERE known.word = ANY (lost)
        AND NOT EXISTS (SELECT 1 FROM products
                        WHERE products.search_vector @@ plainto_tsquery('simple', known.word));
  END IF;
  RETURN NULL;
END
$$
"""
POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE TABLE product_search_words (word text COLLATE "C" PRIMARY KEY)',
    "CREATE INDEX ix_product_search_words_trigram ON product_search_words USING gin (word gin_trgm_ops)",
    POSTGRES_SYNC_FUNCTION,
    "CREATE TRIGGER products_search_words_ai AFTER INSERT ON products REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION product_search_words_sync()",
    "CREATE TRIGGER products_search_words_ad AFTER DELETE ON products REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION product_search_words_sync()",
    "CREATE TRIGGER products_search_words_au AFTER UPDATE ON products "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION product_search_words_sync()",
    "INSERT INTO product_search_words (word) SELECT DISTINCT lexeme FROM products, unnest(products.search_vector)",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS products_search_words_au ON products",
    "DROP TRIGGER IF EXISTS products_search_words_ad ON products",
    "DROP TRIGGER IF EXISTS products_search_words_ai ON products",
    "DROP FUNCTION IF EXISTS product_search_words_sync()",
    "DROP TABLE IF EXISTS product_search_words",
)
SQLITE = ("CREATE VIRTUAL TABLE product_search_vocab USING fts5vocab(product_search, row)",)
SQLITE_DROP = ("DROP TABLE IF EXISTS product_search_vocab",)


def _run(sqlite_statements, postgres_statements):
    for statement in sqlite_statements if op.get_bind().dialect.name == "sqlite" else postgres_statements:
        op.execute(statement)


def upgrade():
    _run(SQLITE, POSTGRES)


def downgrade():
    _run(SQLITE_DROP, POSTGRES_DROP)
