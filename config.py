"""Configuration classes; the only module that reads the environment."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Values that must never reach production as the SECRET_KEY.
_PLACEHOLDER_SECRETS = {"", "dev", "change-me", "changeme", "secret", "development-only-not-secret"}


class ConfigurationError(RuntimeError):
    """Raised when the environment cannot run the shop safely."""


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def database_engine_options(url: str, *, connect_timeout: int, statement_timeout_ms: int) -> dict:
    """Pool options, and on PostgreSQL the connect and statement timeouts that keep a silent database
    from holding every worker until gunicorn kills it."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["connect_args"] = {
            "connect_timeout": connect_timeout,
            "options": f"-c statement_timeout={statement_timeout_ms}",
        }
        options["pool_timeout"] = connect_timeout
    return options


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-secret")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'gallery.sqlite3'}")
    )
    # Seconds to wait for a PostgreSQL connection, and milliseconds any one statement may run.
    DATABASE_CONNECT_TIMEOUT = _env_int("DATABASE_CONNECT_TIMEOUT", 5)
    DATABASE_STATEMENT_TIMEOUT_MS = _env_int("DATABASE_STATEMENT_TIMEOUT_MS", 20_000)
    SQLALCHEMY_ENGINE_OPTIONS: dict = database_engine_options(
        SQLALCHEMY_DATABASE_URI, connect_timeout=DATABASE_CONNECT_TIMEOUT,
        statement_timeout_ms=DATABASE_STATEMENT_TIMEOUT_MS,
    )
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Caches of storefront pages, listing counts and the staff dashboard (gallery.cache): keyed by the
    # catalogue version and the WIB date, so never stale. In Redis (shared by all workers and hosts) when
    # CACHE_REDIS_URL or REDIS_URL is set, else in each process's memory, at most CACHE_MEMORY_MB there.
    CACHE_ENABLED = _env_bool("CACHE_ENABLED", True)
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or REDIS_URL
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "gallery:cache:")
    CACHE_MEMORY_MB = _env_int("CACHE_MEMORY_MB", 64)
    CACHE_TTL_SECONDS = _env_int("CACHE_TTL_SECONDS", 24 * 3600)
    # Seconds /healthz waits for each dependency before calling it down.
    HEALTH_CHECK_TIMEOUT = 2.0

    # Uploaded images live outside the code tree; only re-encoded copies are kept there.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_BYTES", 8 * 1024 * 1024)

    # Consignment terms: the gallery's share of a sale, in basis points (2000 = 20 %).
    DEFAULT_COMMISSION_BP = _env_int("DEFAULT_COMMISSION_BP", 2000)
    # The smallest statement the gallery transfers (Rupiah); smaller or negative ones are carried forward.
    MIN_PAYOUT = _env_int("MIN_PAYOUT", 50_000)
    # Days of shelf life a food product must still have when the shopper receives it, unless the
    # product sets its own (Product.min_shelf_life_days).
    DEFAULT_MIN_SHELF_LIFE_DAYS = _env_int("DEFAULT_MIN_SHELF_LIFE_DAYS", 7)
    # Consignment terms for producers without terms of their own: days a lot stays on consignment from
    # its receipt day, days of grace after that to collect it, and what happens to uncollected goods
    # ("return" to the producer, or "donate" only where the producer consented in writing).
    CONSIGNMENT_TERM_DAYS = _env_int("CONSIGNMENT_TERM_DAYS", 90)
    CONSIGNMENT_GRACE_DAYS = _env_int("CONSIGNMENT_GRACE_DAYS", 14)
    # Lots whose term ends within this many days are listed (and their producers told) before it does.
    CONSIGNMENT_NOTICE_DAYS = _env_int("CONSIGNMENT_NOTICE_DAYS", 14)
    # What a producer sees in the portal unless the gallery chose otherwise for it: "detailed" (every sale
    # line, stock, lots, documents) or "summary" (balance and statements only), and whether the gallery's
    # commission and the shelf price are shown beside the payout.
    PORTAL_DETAIL = os.environ.get("PORTAL_DETAIL", "detailed")
    PORTAL_SHOWS_COMMISSION = _env_bool("PORTAL_SHOWS_COMMISSION", True)

    # Shipping: grams of box and padding added to each parcel's weight before it is charged.
    SHIPPING_PACKAGING_GRAMS = _env_int("SHIPPING_PACKAGING_GRAMS", 100)

    # Language: Bahasa Indonesia first, English second.
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "gallery" / "translations")
    LANGUAGES = ("id", "en")
    DISPLAY_TIMEZONE = "Asia/Jakarta"

    PRODUCTS_PER_PAGE = 24

    # How long an unpaid order holds its stock: delivery orders until paid online or by transfer,
    # pick-up orders until paid at the gallery's counter.
    PAYMENT_DEADLINE_HOURS = _env_int("PAYMENT_DEADLINE_HOURS", 24)
    PICKUP_HOLD_HOURS = _env_int("PICKUP_HOLD_HOURS", 48)

    # Shown in the footer and on printed documents.
    GALLERY_ADDRESS = os.environ.get(
        "GALLERY_ADDRESS", "Painan, Kecamatan IV Jurai, Kabupaten Pesisir Selatan, Sumatera Barat"
    )

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    # "Ingat saya": a signed cookie of its own (gallery.accounts.sessions), renewed with a new value each
    # time it restores a session, and ended with every other session by the user's session version.
    REMEMBER_ME_DAYS = 30
    # Strict-Transport-Security max-age in seconds; 0 sends no HSTS header (only production sets it).
    HSTS_SECONDS = 0
    # Error reporting to Sentry when a DSN is set (sentry-sdk[flask]); nothing is sent otherwise.
    SENTRY_DSN = os.environ.get("SENTRY_DSN") or None
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    # Largest image (width x height) decoded from an upload, read from the header before decoding,
    # and how many uploads one worker process decodes at once (the others wait their turn).
    IMAGE_MAX_PIXELS = 24_000_000
    IMAGE_CONCURRENT_DECODES = 2
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # werkzeug's default (scrypt); tests use a cheaper method to stay fast.
    PASSWORD_HASH_METHOD = "scrypt"

    # Login attempts per client address; kept in Redis when REDIS_URL is set.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # Sign-ups and password-reset requests per client address (each sends an e-mail).
    ACCOUNT_EMAIL_RATE_LIMIT = os.environ.get("ACCOUNT_EMAIL_RATE_LIMIT", "5 per minute;30 per day")
    # How long the links in sign-up confirmation and password-reset e-mails stay valid.
    SIGNUP_LINK_HOURS = 48
    PASSWORD_RESET_MINUTES = 60

    # Number of reverse proxies (nginx…) in front of gunicorn whose X-Forwarded-* headers to trust.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    # Adds an X-SQL-Statements header to each response; only `make bench` turns it on.
    COUNT_SQL_STATEMENTS = _env_bool("COUNT_SQL_STATEMENTS", False)

    # Stripe (used by the payments issue); without keys the Stripe method is hidden.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY") or None
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY") or None
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET") or None
    # Where the Stripe library sends its requests; tests point it at a local fake of the API.
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE") or "https://api.stripe.com"
    # Comma-separated Checkout payment-method types the gallery's Stripe account has enabled.
    STRIPE_PAYMENT_METHOD_TYPES = os.environ.get("STRIPE_PAYMENT_METHOD_TYPES", "card")
    # How long a Checkout Session stays open (Stripe accepts 30 minutes to 24 hours).
    STRIPE_SESSION_MINUTES = _env_int("STRIPE_SESSION_MINUTES", 30)
    # Midtrans (Snap for shoppers, a QRIS charge at the till); without the server key it is hidden.
    MIDTRANS_SERVER_KEY = os.environ.get("MIDTRANS_SERVER_KEY") or None
    MIDTRANS_CLIENT_KEY = os.environ.get("MIDTRANS_CLIENT_KEY") or None
    MIDTRANS_IS_PRODUCTION = _env_bool("MIDTRANS_IS_PRODUCTION", False)
    # Snap's payment channels the gallery's Midtrans account has enabled, comma-separated.
    MIDTRANS_ENABLED_PAYMENTS = os.environ.get(
        "MIDTRANS_ENABLED_PAYMENTS",
        "qris,gopay,shopeepay,bca_va,bni_va,bri_va,permata_va,echannel,other_va,credit_card,akulaku,kredivo")
    # Where midtransclient sends its requests (unset: Midtrans's own sandbox or production addresses);
    # tests point them at a local fake of Snap and of the Core API (charge, status, refund).
    MIDTRANS_SNAP_BASE_URL = os.environ.get("MIDTRANS_SNAP_BASE_URL") or None
    MIDTRANS_API_BASE_URL = os.environ.get("MIDTRANS_API_BASE_URL") or None
    # Seconds to wait for Midtrans before giving up on a request.
    MIDTRANS_TIMEOUT_SECONDS = _env_int("MIDTRANS_TIMEOUT_SECONDS", 20)

    # How long a QRIS code shown at the till (through a gateway) stays payable; its units are held meanwhile.
    TILL_QRIS_MINUTES = _env_int("TILL_QRIS_MINUTES", 15)

    # Pos cash on delivery (bayar di tempat): off unless set; the destination provinces (Kemendagri
    # codes, comma-separated; empty: everywhere the tariff reaches) and the largest order total (Rupiah).
    # The fee itself is a setting of each Pos service (staff edit it with the tariff table).
    COD_ENABLED = _env_bool("COD_ENABLED", False)
    COD_PROVINCES = os.environ.get("COD_PROVINCES", "")
    COD_MAX_ORDER = _env_int("COD_MAX_ORDER", 1_000_000)

    # Bank transfer to the gallery's account: how long the shopper has, and where to send the money.
    BANK_TRANSFER_HOURS = _env_int("BANK_TRANSFER_HOURS", 24)
    GALLERY_BANK_NAME = os.environ.get("GALLERY_BANK_NAME", "Bank Nagari")
    GALLERY_BANK_ACCOUNT = os.environ.get("GALLERY_BANK_ACCOUNT", "0000-0000-00000 (contoh)")
    GALLERY_BANK_HOLDER = os.environ.get("GALLERY_BANK_HOLDER", "Galeri Oleh-oleh Pesisir Selatan")

    # Email: "console" prints messages (development), "file" writes them under MAIL_FILE_PATH,
    # "smtp" sends them (production), "locmem" keeps them in memory (tests).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    MAIL_FILE_PATH = os.environ.get("MAIL_FILE_PATH", str(INSTANCE_DIR / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Galeri Oleh-oleh Pesisir Selatan <galeri@localhost>")
    # Links in emails are absolute; behind a proxy set the public address of the shop.
    SHOP_URL = os.environ.get("SHOP_URL", "http://127.0.0.1:5000")

    # Messages (gallery.notifications) are written to an outbox with the change that causes them and sent
    # by an RQ worker when REDIS_URL is set, otherwise right after the commit; a failed attempt is tried
    # again after 1, 5, 15, 60, 240 minutes, up to this many attempts, then shown to staff.
    NOTIFICATION_MAX_ATTEMPTS = _env_int("NOTIFICATION_MAX_ATTEMPTS", 6)
    # WhatsApp Business Cloud API (template messages); without the token and number id it is not used.
    WHATSAPP_TOKEN = os.environ.get("WHATSAPP_TOKEN") or None
    WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID") or None
    # Where the Cloud API is (tests point it at a local fake) and the Graph API version the shop speaks.
    WHATSAPP_API_BASE = os.environ.get("WHATSAPP_API_BASE") or "https://graph.facebook.com"
    WHATSAPP_API_VERSION = os.environ.get("WHATSAPP_API_VERSION") or "v21.0"
    WHATSAPP_TIMEOUT_SECONDS = _env_int("WHATSAPP_TIMEOUT_SECONDS", 10)
    # The gallery's own WhatsApp number for "Tanya via WhatsApp" links (wa.me); unset hides the links.
    GALLERY_WHATSAPP = os.environ.get("GALLERY_WHATSAPP") or None
    # An unpaid order's shopper is reminded once when its deadline is this many hours away.
    PAYMENT_REMINDER_HOURS = _env_int("PAYMENT_REMINDER_HOURS", 6)
    # Producers are told when a lot of food on the shelf expires within this many days.
    LOT_EXPIRY_NOTICE_DAYS = _env_int("LOT_EXPIRY_NOTICE_DAYS", 14)

    # Following a parcel by its resi: the Pos Indonesia tracking API (the agency's key and secret; without
    # them staff type or import the events), and the days after delivery an order completes by itself
    # unless the shopper reported a problem.
    POS_TRACKING_URL = os.environ.get("POS_TRACKING_URL") or None
    POS_TRACKING_KEY = os.environ.get("POS_TRACKING_KEY") or None
    POS_TRACKING_SECRET = os.environ.get("POS_TRACKING_SECRET") or None
    POS_TRACKING_TIMEOUT_SECONDS = _env_int("POS_TRACKING_TIMEOUT_SECONDS", 15)
    ORDER_COMPLETE_AFTER_DAYS = _env_int("ORDER_COMPLETE_AFTER_DAYS", 3)
    # Looking an order up by number and e-mail/WhatsApp (/orders/track), per client address.
    ORDER_LOOKUP_RATE_LIMIT = os.environ.get("ORDER_LOOKUP_RATE_LIMIT", "10 per minute;60 per day")

    DEMO_ALLOWED = True
    # Sales the demo history makes over the last months (tests use fewer: each is a few transactions).
    DEMO_SALES = 140

    @classmethod
    def validate(cls) -> None:
        """Refuse settings that would be unsafe in this environment."""
        if cls.PORTAL_DETAIL not in ("detailed", "summary"):
            raise ConfigurationError(f"PORTAL_DETAIL must be detailed or summary, got {cls.PORTAL_DETAIL!r}")
        if cls.CONSIGNMENT_TERM_DAYS < 1 or cls.CONSIGNMENT_GRACE_DAYS < 0 or cls.CONSIGNMENT_NOTICE_DAYS < 0:
            raise ConfigurationError("CONSIGNMENT_TERM_DAYS must be 1 or more; the grace and notice days 0 or more")


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, demo data allowed."""

    DEBUG = False  # `flask run --debug` turns the debugger on when wanted


class TestingConfig(Config):
    """The test suite: its database comes from TEST_DATABASE_URL or a temporary SQLite file."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite:///" + str(INSTANCE_DIR / "test.sqlite3"))
    )
    SQLALCHEMY_ENGINE_OPTIONS = database_engine_options(
        SQLALCHEMY_DATABASE_URI, connect_timeout=Config.DATABASE_CONNECT_TIMEOUT,
        statement_timeout_ms=Config.DATABASE_STATEMENT_TIMEOUT_MS,
    )
    WTF_CSRF_ENABLED = True
    UPLOAD_FOLDER = str(INSTANCE_DIR / "test-uploads")
    LOGIN_RATE_LIMIT = "1000 per minute"
    ACCOUNT_EMAIL_RATE_LIMIT = "1000 per minute"
    ORDER_LOOKUP_RATE_LIMIT = "1000 per minute"
    REDIS_URL = None
    CACHE_REDIS_URL = None  # tests of the Redis store point it at a database of their own
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    MAIL_BACKEND = "locmem"
    DEMO_SALES = 20


class ProductionConfig(Config):
    """PostgreSQL behind gunicorn; refuses to start without a real SECRET_KEY or a DATABASE_URL."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    HSTS_SECONDS = _env_int("HSTS_SECONDS", 365 * 24 * 3600)
    PREFERRED_URL_SCHEME = "https"
    DEMO_ALLOWED = False
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")

    @classmethod
    def validate(cls) -> None:
        """Refuse to start with a missing, placeholder or short SECRET_KEY."""
        super().validate()
        key = os.environ.get("SECRET_KEY", "")
        if key.strip().lower() in _PLACEHOLDER_SECRETS or len(key) < 32:
            raise ConfigurationError(
                "SECRET_KEY is missing or too weak for production. Set SECRET_KEY to a random value "
                "of at least 32 characters, for example the output of: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        cls.SECRET_KEY = key
        database_url = os.environ.get("DATABASE_URL", "").strip()
        if not database_url:
            raise ConfigurationError(
                "DATABASE_URL is not set. Production runs on PostgreSQL, for example "
                "DATABASE_URL=postgresql://gallery@127.0.0.1:5432/gallery"
            )
        cls.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url)
        cls.SQLALCHEMY_ENGINE_OPTIONS = database_engine_options(
            cls.SQLALCHEMY_DATABASE_URI, connect_timeout=cls.DATABASE_CONNECT_TIMEOUT,
            statement_timeout_ms=cls.DATABASE_STATEMENT_TIMEOUT_MS,
        )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    """Pick the configuration class named by GALLERY_ENV (development by default)."""
    name = os.environ.get("GALLERY_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise ConfigurationError(f"GALLERY_ENV must be one of {', '.join(CONFIGS)}, got {name!r}") from exc
