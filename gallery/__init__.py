"""The Galeri Oleh-oleh Pesisir Selatan shop: `create_app` builds it."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_environment


def create_app(config: type[Config] | str | None = None) -> Flask:
    """Build the application for a configuration class, its name, or GALLERY_ENV."""
    from config import CONFIGS

    if config is None:
        config = config_from_environment()
    elif isinstance(config, str):
        config = CONFIGS[config]
    config.validate()

    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=False)
    app.config.from_object(config)
    _ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config.get("TRUSTED_PROXIES"):
        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    register_logging(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    if app.config.get("COUNT_SQL_STATEMENTS"):
        from gallery.sqlcount import install_statement_counter

        install_statement_counter(app)
    return app


def _ensure_sqlite_folder(url: str) -> None:
    """A fresh clone has no instance/ folder yet; SQLite cannot create the file without it."""
    from pathlib import Path

    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)


def register_logging(app: Flask) -> None:
    """Logging first, so every later hook and error already has the request's id."""
    from gallery import logs

    logs.init_app(app)


def register_request_hooks(app: Flask) -> None:
    """After the CSRF check: input rules, the /staff and /portal guards, security headers, static names."""
    from gallery import inputs, security, static_files
    from gallery.accounts.decorators import guard_areas

    inputs.init_app(app)
    guard_areas(app)
    security.init_app(app)
    static_files.init_app(app)


def register_extensions(app: Flask) -> None:
    """Bind the extensions created in gallery.extensions."""
    from gallery import cache, i18n
    from gallery.accounts import sessions
    from gallery.extensions import babel, compress, csrf, db, limiter, login_manager, mail, migrate
    from gallery.catalog import photos
    from gallery.notifications import outbox

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_project_dir() / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = i18n.lazy("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: app.config["DISPLAY_TIMEZONE"])
    sessions.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Redis down must not take login down: count in this process's memory until it is back.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    limiter.init_app(app)
    mail.init_app(app)
    outbox.init_app(app)
    photos.init_app(app)
    compress.init_app(app)
    i18n.init_app(app)
    cache.init_app(app)
    _import_models()


def _import_models() -> None:
    """Import every domain's models so SQLAlchemy and Alembic know all tables."""
    from gallery.accounts import models as _accounts  # noqa: F401
    from gallery.accounts import address_models as _addresses  # noqa: F401
    from gallery.catalog import models as _catalog  # noqa: F401
    from gallery.catalog import history as _catalog_history  # noqa: F401
    from gallery.catalog import proposal_models as _catalog_proposals  # noqa: F401
    from gallery import catalogue_version as _catalogue_version  # noqa: F401
    from gallery import numbering as _numbering  # noqa: F401
    from gallery.consignment import models as _consignment  # noqa: F401
    from gallery.consignment import markdown_models as _markdowns  # noqa: F401
    from gallery.consignment import term_models as _terms  # noqa: F401
    from gallery.orders import models as _orders  # noqa: F401
    from gallery.payments import models as _payments  # noqa: F401
    from gallery.portal import models as _portal  # noqa: F401
    from gallery.shipping import models as _shipping  # noqa: F401
    from gallery.settlements import models as _settlements  # noqa: F401
    from gallery.partners import models as _partners  # noqa: F401
    from gallery.registry import models as _registry  # noqa: F401
    from gallery.notifications import models as _notifications  # noqa: F401
    from gallery.reviews import models as _reviews  # noqa: F401


def register_blueprints(app: Flask) -> None:
    """Attach each domain's blueprint."""
    from gallery.accounts import bp as accounts_bp
    from gallery.accounts.address_views import bp as addresses_bp
    from gallery.catalog import bp as catalog_bp
    from gallery.catalog.staff_product_views import bp as products_admin_bp
    from gallery.catalog.staff_views import bp as producers_admin_bp
    from gallery.cart import bp as cart_bp
    from gallery.consignment import bp as consignment_bp
    from gallery.orders import bp as orders_bp
    from gallery.orders import staff_bp as orders_staff_bp
    from gallery.health import bp as health_bp
    from gallery.payments import bp as payments_bp
    from gallery.payments import staff_bp as payments_staff_bp
    from gallery.portal import bp as portal_bp
    from gallery.portal import staff_bp as profile_requests_bp
    from gallery.shipping.views import api_bp as shipping_api_bp, bp as shipping_bp
    from gallery.settlements import bp as settlements_bp
    from gallery.registry.views import bp as registry_bp, staff_bp as registry_staff_bp
    from gallery.staff import bp as staff_bp
    from gallery.partners.views import bp as partners_bp
    from gallery.partners.staff_views import bp as partners_staff_bp
    from gallery.partners.portal_views import bp as partners_portal_bp
    from gallery.notifications import staff_bp as notifications_staff_bp
    from gallery.reviews import bp as reviews_bp, portal_bp as reviews_portal_bp, staff_bp as reviews_staff_bp

    # In registration order; a prefix of None keeps the blueprint's own.
    staff, portal = "/staff", "/portal"
    for blueprint, url_prefix in (
        (health_bp, None), (accounts_bp, None), (addresses_bp, None), (catalog_bp, None), (staff_bp, staff),
        (producers_admin_bp, None), (products_admin_bp, None), (consignment_bp, staff), (cart_bp, None),
        (orders_bp, None), (orders_staff_bp, staff), (payments_bp, None), (payments_staff_bp, staff),
        (portal_bp, portal), (profile_requests_bp, "/staff/profile-requests"), (shipping_bp, None),
        (shipping_api_bp, None), (settlements_bp, "/staff/settlements"), (registry_bp, None),
        (registry_staff_bp, None), (partners_bp, None), (partners_staff_bp, None), (partners_portal_bp, None),
        (notifications_staff_bp, None), (reviews_bp, None), (reviews_staff_bp, None), (reviews_portal_bp, None),
    ):
        app.register_blueprint(blueprint, url_prefix=url_prefix)


def register_errorhandlers(app: Flask) -> None:
    """Friendly pages for 403, 404, 413 and 500, in the shopper's language."""
    from gallery.errorpages import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates use (Rupiah, WIB dates, image URLs…)."""
    from gallery import page_cache
    from gallery.notifications import click_to_chat
    from gallery.reviews import templating as reviews
    from gallery.templating import register

    register(app)
    click_to_chat.register(app)
    reviews.register(app)
    page_cache.init_app(app)


def register_commands(app: Flask) -> None:
    """The `flask` sub-commands of each domain."""
    from gallery.cli import register

    register(app)


def _project_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
