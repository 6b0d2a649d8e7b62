"""`flask notifications send` (cron: retries and anything Redis missed) and `flask worker` (the RQ worker)."""
import click
from flask.cli import with_appcontext

from gallery.jobs import periodic
from gallery.notifications import dispatch, jobs


@click.group()
def notifications():
    """Messages to shoppers and producers (e-mail, WhatsApp)."""


@notifications.command("send")
@with_appcontext
@periodic("notifications-send")
def send_command():
    """Send (or queue, with Redis) every outbox message whose attempt is due; fail dead claims."""
    handled, abandoned = jobs.send_due()
    click.echo(f"notifications: {handled} due" + (f", {abandoned} given up (outcome unknown)" if abandoned else ""))


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, one-off runs).")
@with_appcontext
def worker_command(burst: bool):
    """Run the RQ worker that sends outbox messages (needs REDIS_URL); runs scheduled retries too."""
    from rq import SimpleWorker

    if not dispatch.uses_queue():
        raise click.ClickException("REDIS_URL is not set: messages are sent inline after each commit "
                                   "and retried by `flask notifications send`.")
    # SimpleWorker runs each job in this process (no fork), inside this command's app context, so the
    # database pool is never shared with a forked child.
    worker = SimpleWorker([dispatch.queue()], connection=dispatch.connection())
    worker.work(burst=burst, with_scheduler=True)
