"""Fuzzed form submissions, as the role each form is for, on both databases (SQLite accepts NUL, PostgreSQL
does not): the answer is never a server error, and a refused submission writes nothing."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from gallery.accounts.models import Role
from gallery.extensions import db
from tests.factories import csrf_token

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "9" * 20, "1e9", "NaN", "１２３", "\x00", "a\x00b", "=1+1", "@SUM(A1)",
                     "<script>alert(1)</script>", "2026-13-45", "' OR 1=1 --", "\u202e", "x" * 5000]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
SKIPPED_FIELDS = {"csrf_token", "next", "action", "save", "add_rows"}


def counts() -> tuple:
    """Rows per table, in one statement."""
    tables = [t.name for t in db.metadata.sorted_tables]
    query = " UNION ALL ".join(f"SELECT '{name}', COUNT(*) FROM {name}" for name in tables)
    db.session.expire_all()
    with db.engine.connect() as connection:
        return tuple(sorted(connection.execute(text(query)).all()))


def field_names(html: str) -> list[str]:
    return sorted({name for name in FIELD.findall(html) if name not in SKIPPED_FIELDS})


# (role, the page holding the form, where it posts, extra fixed fields)
FORMS = [
    (None, "/register", "/register", {}),
    (None, "/login", "/login", {}),
    (None, "/forgot-password", "/forgot-password", {}),
    (None, "/partners/inquire", "/partners/inquire", {}),
    (None, "/login", "/cart/add", {"variant_id": None, "quantity": None}),
    (Role.STAFF, "/staff/producers/new", "/staff/producers/new", {}),
    (Role.STAFF, "/staff/counter", "/staff/counter", {"action": "add"}),
    (Role.STAFF, "/staff/partners/events", "/staff/partners/events", {}),
    (Role.STAFF, "/staff/classifications", "/staff/classifications", {"id": None}),
    (Role.PRODUCER, "/portal/profile", "/portal/profile", {}),
]


@pytest.mark.parametrize(("role", "page", "target", "fixed"), FORMS, ids=[f"{t} as {r or 'guest'}" for r, _, t, _ in FORMS])
def test_fuzzed_submissions_never_fail_and_refusals_write_nothing(app, make, role, page, target, fixed):
    client = app.test_client()
    if role is not None:
        producer = make.producer() if role == Role.PRODUCER else None
        make.login(client, make.user(role, producer=producer))
    html = client.get(page).get_data(as_text=True)
    names = sorted(set(field_names(html)) | set(fixed))
    token = csrf_token(client, page)

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.fixed_dictionaries({name: HOSTILE for name in names}))
    def submit(values):
        data = {**values, **{k: v for k, v in fixed.items() if v is not None}, "csrf_token": token}
        before = counts()
        response = client.post(target, data=data)
        assert response.status_code < 500, (target, data, response.status_code)
        if response.status_code in (400, 422, 429):
            assert counts() == before, (target, data)

    submit()
