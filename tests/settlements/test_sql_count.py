"""Generation runs a fixed number of SQL statements whatever the number of producers and lines."""
from gallery.accounts.models import Role
from gallery.orders.placing import CartLine
from tests.edges import counter_sale
from gallery.settlements import statements as services
from gallery.settlements.periods import Period
from tests.settlements.conftest import at
from tests.sqlcount import count_statements


def _sales(make, producers: int, staff):
    for _ in range(producers):
        product = make.product(variants=[("A", 40_000, 200), ("B", 55_000, 300)])
        for variant in product.variants:
            make.stock(variant, 5, payout=30_000)
        counter_sale([CartLine(v.id, 2) for v in product.variants], "cash", user=staff)


def _count(period) -> int:
    with count_statements() as statements:
        result = services.generate(period)
    assert result.statements > 0
    return len(statements)


def test_one_producer_and_many_run_the_same_statements(make):
    at(10)
    staff = make.user(Role.STAFF)
    _sales(make, 1, staff)
    at(2, month=12)
    one = _count(Period.month(2026, 11))
    at(10, month=12)
    _sales(make, 12, staff)
    at(2, month=1, year=2027)
    many = _count(Period.month(2026, 12))
    assert one == many, (one, many)
    # Regenerating the twelve drafts is a fixed count too.
    assert _count(Period.month(2026, 12)) <= many + 3
