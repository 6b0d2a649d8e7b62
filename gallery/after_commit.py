"""Work that may only happen once the current transaction has committed: messages handed to the dispatcher
(gallery.notifications.outbox), files of photos nothing names any more (gallery.catalog.photos).

A caller queues items under a name (`defer`); when the outermost transaction commits, each name's handler
gets what was queued; when the outermost transaction rolls back, the queue is forgotten. A savepoint that
rolls back (a dedupe insert that lost, a gateway that refused) forgets nothing queued before it: SQLAlchemy
also calls `after_rollback` then, which is why the queue listens to `after_soft_rollback` and looks at which
transaction ended, as gallery.catalogue_version does. Handlers must tolerate an item whose row the savepoint
took back (the outbox skips a message it cannot claim; photos check what is still in use).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session

from gallery.extensions import db

_QUEUED = "after_commit"
_HANDLERS: dict[str, Callable[[list], None]] = {}


def register(name: str, handler: Callable[[list], None]) -> None:
    """Call `handler` with the items queued under `name` by each committed transaction."""
    _HANDLERS[name] = handler


def defer(name: str, items: Iterable) -> None:
    """Queue `items` for `name`'s handler, run when the current transaction commits."""
    db.session().info.setdefault(_QUEUED, {}).setdefault(name, []).extend(items)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: wait for the real commit
    for name, items in session.info.pop(_QUEUED, {}).items():
        if items:
            _HANDLERS[name](items)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: nothing it wrote remains
        session.info.pop(_QUEUED, None)
