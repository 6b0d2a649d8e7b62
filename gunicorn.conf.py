"""gunicorn settings for the shop: `gunicorn wsgi:app` reads this file from the working directory.

Every value can be overridden from the environment (GUNICORN_WORKERS, GUNICORN_BIND, …) without editing it.
"""
import multiprocessing
import os

# (2 × cores) + 1 sync workers: requests wait on PostgreSQL, not on the CPU.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Longer than DATABASE_STATEMENT_TIMEOUT_MS (20 s) so the database gives up first and the page says so.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without end.
max_requests = 2000
max_requests_jitter = 200
# X-Forwarded-* are trusted from the proxy in front (the app's TRUSTED_PROXIES does the rewriting).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The app logs one line per request itself (with its request id); gunicorn's access log is optional.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Load the app once in the master, so a broken configuration stops the start instead of every worker.
preload_app = True
