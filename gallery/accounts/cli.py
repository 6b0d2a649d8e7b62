"""`flask users …`: create accounts from the command line."""
import click
from flask.cli import with_appcontext

from gallery.accounts.models import Role
from gallery.accounts.services import create_user
from gallery.errors import DomainError
from gallery.extensions import db


@click.group()
def users():
    """User accounts."""


@users.command("create")
@click.option("--email", required=True, help="Sign-in email.")
@click.option("--role", type=click.Choice(Role.ALL), default=Role.STAFF, show_default=True)
@click.option("--name", default=None, help="Display name (defaults to the email's name).")
@click.option("--producer", "producer_slug", default=None, help="Producer slug, for --role producer.")
@click.password_option(help="Password (asked for when not given).")
@with_appcontext
def create_command(email, role, name, producer_slug, password):
    """Create a user of any role."""
    try:
        user = create_user(email, role, password, name=name, producer_slug=producer_slug)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_command(email):
    """Refuse further sign-ins of EMAIL and end all of its sessions and remember-me cookies at once."""
    from gallery.accounts.services import deactivate_user, find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    deactivate_user(user)
    db.session.commit()
    click.echo(f"deactivated {user.email}; every session of it has ended")
