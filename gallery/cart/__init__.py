"""The session cart: what a shopper intends to buy, capped by what can be sold."""
from flask import Blueprint

bp = Blueprint("cart", __name__)

from gallery.cart import views  # noqa: E402,F401
