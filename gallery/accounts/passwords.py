"""The password rule: at least MIN_PASSWORD_LENGTH characters and hard to guess by zxcvbn's estimate
(common passwords, keyboard runs, repeats and the user's own name or e-mail score low)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from gallery.errors import DomainError

MIN_PASSWORD_LENGTH = 10
# zxcvbn scores 0-4; 3 is "safely unguessable" for an online attacker and fair against offline guessing.
MIN_SCORE = 3
# zxcvbn's cost grows with length; nothing longer is a password anyone types.
MAX_PASSWORD_LENGTH = 128


def check_password_strength(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Raise DomainError (field `password`) unless `password` is long and hard enough to guess."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("Kata sandi minimal %(n)s karakter.", n=MIN_PASSWORD_LENGTH), field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(_l("Kata sandi maksimal %(n)s karakter.", n=MAX_PASSWORD_LENGTH), field="password")
    words = [part for value in user_inputs if value for part in (value, value.split("@")[0])]
    if zxcvbn(password, user_inputs=words)["score"] < MIN_SCORE:
        raise DomainError(
            _l("Kata sandi ini terlalu mudah ditebak. Gunakan gabungan beberapa kata yang tidak umum."),
            field="password",
        )
