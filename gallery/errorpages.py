"""Error pages in the shopper's language; JSON for /api/ and /healthz callers."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from gallery.errors import NotFound
from gallery.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/payments/")


def register(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def domain_not_found(error: NotFound):
        if _wants_json():
            return jsonify(error=str(error.message)), 404
        return render_template("errors/error.html", code=404, title=_("Halaman tidak ditemukan"),
                               message=error.message), 404

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if _wants_json():
            return jsonify(error=error.description), error.code
        titles = {
            400: _("Permintaan tidak valid"),
            403: _("Akses ditolak"),
            404: _("Halaman tidak ditemukan"),
            405: _("Metode tidak diizinkan"),
            413: _("Berkas terlalu besar"),
            429: _("Terlalu banyak percobaan"),
        }
        messages = {
            400: _("Permintaan tidak bisa diproses. Muat ulang halaman lalu coba lagi."),
            403: _("Anda tidak punya izin untuk membuka halaman ini."),
            404: _("Halaman yang Anda cari tidak ada atau sudah dipindahkan."),
            413: _("Berkas yang diunggah melebihi batas ukuran."),
            429: _("Tunggu sebentar sebelum mencoba lagi."),
        }
        return (
            render_template(
                "errors/error.html",
                code=error.code,
                title=titles.get(error.code, error.name),
                message=error.description if getattr(error, "user_facing", False)
                else messages.get(error.code, error.description),
            ),
            error.code,
        )

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if _wants_json():
            return jsonify(error="internal error"), 500
        return render_template("errors/error.html", code=500, title=_("Terjadi kesalahan"),
                               message=_("Maaf, ada gangguan di sisi kami. Silakan coba lagi.")), 500
