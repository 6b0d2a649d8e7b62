"""REQUIRE_POSTGRES=1 (as .ci/run sets it) makes a run fail rather than skip the PostgreSQL-only tests."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pytest(env_changes: dict, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "REQUIRE_POSTGRES")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def test_a_postgres_only_test_is_skipped_on_sqlite_with_a_reason():
    run = _pytest({}, "tests/orders/test_race.py", "-rs")
    assert run.returncode == 0, run.stdout + run.stderr
    assert " skipped" in run.stdout and " passed" not in run.stdout and "needs PostgreSQL" in run.stdout


def test_require_postgres_without_postgres_fails_the_run():
    run = _pytest({"REQUIRE_POSTGRES": "1"}, "tests/orders/test_race.py")
    assert run.returncode != 0
    assert "REQUIRE_POSTGRES=1" in run.stdout + run.stderr
