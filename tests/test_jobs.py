"""Periodic commands are safe when cron starts them on several hosts at once, and say how long they took."""
import threading

from gallery.jobs import single_run


def test_the_expire_command_reports_its_duration(app):
    result = app.test_cli_runner().invoke(args=["orders", "expire"])
    assert result.exit_code == 0, result.output
    assert "orders: 0 expired" in result.output
    assert "orders-expire: done in" in result.output


def test_a_second_run_while_the_first_holds_the_lock_skips_and_writes_nothing(app):
    # Given a run of the job holding its lock (another host, or a slow earlier run)
    with single_run("orders-expire") as first:
        assert first
        # When cron starts it again, then the second run skips
        result = app.test_cli_runner().invoke(args=["orders", "expire"])
    assert result.exit_code == 0, result.output
    assert "skipped, already running" in result.output and "expired" not in result.output
    # and once the first run is over, the job runs again
    assert "orders: 0 expired" in app.test_cli_runner().invoke(args=["orders", "expire"]).output


def test_only_one_of_several_simultaneous_runs_holds_the_lock(app):
    held = []
    barrier = threading.Barrier(4)

    def run():
        with app.app_context():
            with single_run("race") as got:
                barrier.wait(timeout=10)  # all four hold (or failed to take) the lock at the same moment
                held.append(got)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(held) == [False, False, False, True]
