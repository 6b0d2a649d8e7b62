"""Accounts: users, roles, sign-in and the access decorators."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from gallery.accounts import views  # noqa: E402,F401
