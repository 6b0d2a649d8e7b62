"""Did you mean: pg_trgm's similarity measured in Python, and the choice of the closest word."""
import pytest
from sqlalchemy import text

from gallery.catalog.spelling import best_word, similarity, trigrams
from gallery.extensions import db

PAIRS = [("rendng", "rendang"), ("kopi", "kopiah"), ("kopi", "kopra"), ("sonket", "songket"),
         ("galamia", "galamai"), ("warna-warni", "warna"), ("Rendang", "rendang"), ("abc", "xyz")]


def test_trigrams_are_pg_trgms_padded_lower_case_word_trigrams():
    assert trigrams("Rendng") == {"  r", " re", "ren", "end", "ndn", "dng", "ng "}
    assert trigrams("a-b") == {"  a", " a ", "  b", " b "}
    assert trigrams("!!") == set()


def test_similarity_is_shared_trigrams_over_all_trigrams():
    assert similarity("rendng", "rendang") == pytest.approx(5 / 10)
    assert similarity("rendang", "rendang") == 1.0
    assert similarity("", "rendang") == 0.0


def test_python_and_postgresql_measure_the_same(database_name):
    if database_name != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    for a, b in PAIRS:
        measured = db.session.scalar(text("SELECT similarity(:a, :b)"), {"a": a, "b": b})
        assert similarity(a, b) == pytest.approx(measured, abs=1e-6), (a, b)


def test_the_closest_word_wins_then_the_alphabet():
    assert best_word("rendng", ["rendah", "rendang"]) == "rendang"
    assert best_word("kerpik", ["kerupuk", "keripik"]) == "keripik"
    assert best_word("abcd", ["abcf", "abce"]) == "abce"
    assert best_word("rendng", ["songket"]) is None
    assert best_word("rendng", ["rendang"], threshold=0.6) is None
