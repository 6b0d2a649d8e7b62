"""Who sends a committed message: an RQ worker on Redis when REDIS_URL is set, or this process inline.

Without Redis (the embedded default) messages go right after the commit that wrote them, and
`flask notifications send` (cron, every minute) retries those whose attempt failed. With Redis each message
is an RQ job (`flask worker` runs them; a failed attempt is scheduled again after its backoff); when Redis
cannot take the job the message simply waits in the outbox for the same sweep. Either way the outbox row,
claimed before sending, is what guarantees a message leaves once. The sending itself, and its commits,
are in gallery.notifications.jobs.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app

log = logging.getLogger(__name__)

QUEUE_NAME = "notifications"
JOB = "gallery.notifications.jobs.deliver_job"


def uses_queue() -> bool:
    """Whether messages go through RQ (REDIS_URL set, or a connection given to the app by tests)."""
    return bool(current_app.config.get("REDIS_URL") or current_app.extensions.get("rq_connection"))


def connection():
    """The Redis connection RQ uses (one per app, made on first use)."""
    found = current_app.extensions.get("rq_connection")
    if found is None:
        from redis import Redis

        found = current_app.extensions["rq_connection"] = Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
    return found


def queue():
    """The RQ queue of outbox messages."""
    from rq import Queue

    return Queue(QUEUE_NAME, connection=connection())


def enqueue(message_ids: Iterable[int], delay: timedelta | None = None) -> None:
    """Put one job per message on the queue (after `delay` when given); raises when Redis is down."""
    jobs = queue()
    for message_id in message_ids:
        if delay:
            jobs.enqueue_in(delay, JOB, message_id)
        else:
            jobs.enqueue(JOB, message_id)


def after_commit(message_ids: list[int]) -> None:
    """Hand freshly committed messages over: to RQ when it is used, else send them now."""
    if not uses_queue():
        from gallery.notifications import jobs  # jobs enqueues through this module

        jobs.deliver_inline(message_ids)
        return
    try:
        enqueue(message_ids)
    except Exception:  # noqa: BLE001 - Redis down: the messages wait in the outbox for the sweep
        log.exception("could not queue outbox messages %s; the sweep will send them", message_ids)
