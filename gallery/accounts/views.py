"""Sign in, sign out, sign up and password reset (the last two confirmed by e-mail)."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gallery.accounts import bp, email_flows
from gallery.accounts.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from gallery.accounts.services import authenticate, home_endpoint
from gallery.accounts.sessions import end_session, start_session
from gallery.errors import DomainError
from gallery.extensions import db, limiter


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site (no scheme, no host, no `//`)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _guests_only(view):
    """A signed-in user asking for a guest's page (sign in, sign up) goes to their home page instead."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated:
            return redirect(url_for(home_endpoint(current_user)))
        return view(*args, **kwargs)

    return wrapped


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_limit() -> str:
    return current_app.config["ACCOUNT_EMAIL_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@_guests_only
def login():
    """Sign in; a fresh session, and a remember-me cookie when asked."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            start_session(user, remember=form.remember.data)
            flash(_("Selamat datang, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data) or url_for(home_endpoint(user)))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 422


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out here and on every other device of the user."""
    end_session(current_user)
    db.session.commit()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("catalog.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_email_limit, methods=["POST"])
@_guests_only
def register():
    """Ask for an account: the same answer whether or not the address is known; the e-mail decides."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            email_flows.request_signup(form.name.data, form.email.data, form.password.data, form.phone.data)
        except DomainError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            db.session.commit()
            # The same page whether the address is new or already has an account.
            return render_template("accounts/check_email.html", email=form.email.data.strip().lower(),
                                   purpose="signup")
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.route("/register/confirm/<token>")
def confirm_signup(token: str):
    """Create the account from the link mailed at sign-up."""
    try:
        email_flows.confirm_signup(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.register"))
    db.session.commit()
    flash(_("Akun Anda sudah aktif. Silakan masuk."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_email_limit, methods=["POST"])
def forgot_password():
    """Mail a reset link to an active account; the same answer for any address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email_flows.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data.strip().lower(), purpose="reset")
    return render_template("accounts/forgot_password.html", form=form), 200 if not form.errors else 422


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_email_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password through a valid, unused reset link."""
    try:
        email_flows.user_for_reset(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            email_flows.reset_password(token, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, token=token), 200 if not form.errors else 422
