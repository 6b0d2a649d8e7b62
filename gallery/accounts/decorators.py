"""Access checks for views and whole blueprints."""
from __future__ import annotations

from functools import wraps

from flask import Flask, abort, request
from flask_login import current_user

from gallery.accounts.models import Role
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


# Which roles may open each back-office area: every URL at or below the prefix, whatever blueprint
# serves it, so a new screen under /staff or /portal is guarded without writing anything.
AREAS = {
    "/staff": (Role.STAFF, Role.ADMIN),
    "/portal": (Role.PRODUCER,),
}


def area_roles(path: str) -> tuple[str, ...] | None:
    """The roles that may open `path`, or None when it lies in no guarded area."""
    for prefix, roles in AREAS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return roles
    return None


def guard_areas(app: Flask) -> None:
    """Check the role of every request into a guarded area once, before any view or blueprint hook."""

    @app.before_request
    def check_area_role():
        roles = area_roles(request.path)
        if roles is not None:
            check_role(*roles)
