"""Work deferred to the commit (gallery.after_commit): kept through a savepoint that rolls back, forgotten
with the transaction that rolls back."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import text

from gallery.catalog.images import rendition_path, store_image
from gallery.catalog.photos import delete_after_commit
from gallery.extensions import db


def _unused_picture() -> str:
    data = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 30, 40)).save(data, "PNG")
    return store_image(data.getvalue()).key  # files written, no row names them


def _savepoint_rolled_back() -> None:
    try:
        with db.session.begin_nested():
            raise RuntimeError("undone")
    except RuntimeError:
        pass


def test_freed_photo_files_are_deleted_at_the_commit_even_after_a_savepoint_rolled_back(app):
    key = _unused_picture()
    delete_after_commit({key})
    _savepoint_rolled_back()
    assert rendition_path(key, "thumb", "jpg").is_file()  # not before the commit
    db.session.commit()
    assert not rendition_path(key, "thumb", "jpg").exists()


def test_freed_photo_files_stay_when_the_transaction_rolls_back(app):
    key = _unused_picture()
    db.session.execute(text("SELECT 1"))  # the transaction the files were freed in (a photo removed, say)
    delete_after_commit({key})
    db.session.rollback()
    db.session.commit()
    assert rendition_path(key, "thumb", "jpg").is_file()
