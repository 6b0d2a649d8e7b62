"""Sign in, sign out and sign up."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from gallery.accounts import bp
from gallery.accounts.forms import LoginForm, RegisterForm
from gallery.accounts.models import User
from gallery.accounts.services import authenticate, home_endpoint, register_customer
from gallery.errors import DomainError
from gallery.extensions import db, limiter, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site (no scheme, no host, no `//`)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            login_user(user, remember=form.remember.data)
            flash(_("Selamat datang, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data) or url_for(home_endpoint(user)))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 422


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("catalog.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register_customer(form.name.data, form.email.data, form.password.data, form.phone.data)
        except DomainError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            login_user(user)
            flash(_("Akun Anda sudah dibuat. Selamat berbelanja!"), "success")
            return redirect(url_for("catalog.home"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422
