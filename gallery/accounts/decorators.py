"""Access checks for views and whole blueprints."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from gallery.extensions import login_manager


def check_role(*roles: str) -> None:
    """Send anonymous users to /login and refuse (403) users without one of `roles`."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not current_user.has_role(*roles):
        abort(403)


def role_required(*roles: str):
    """Guard a view: anonymous users go to /login, a user without one of `roles` gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            check_role(*roles)
            return view(*args, **kwargs)

        return wrapped

    return decorator
