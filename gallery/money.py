"""Rupiah: integer amounts, basis points and the one rounding rule."""
from __future__ import annotations

BASIS_POINTS = 10_000


def divide_half_up(numerator: int, denominator: int) -> int:
    """Divide two integers, rounding halves away from zero (the shop's only rounding)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return sign * quotient


def apply_basis_points(amount: int, basis_points: int) -> int:
    """Return `basis_points` of `amount` in whole Rupiah, rounded half up once."""
    _require_int(amount)
    _require_int(basis_points)
    return divide_half_up(amount * basis_points, BASIS_POINTS)


def less_basis_points(amount: int, basis_points: int) -> int:
    """Return `amount` less `basis_points` of it (e.g. a price less the commission)."""
    return amount - apply_basis_points(amount, basis_points)


NO_BREAK_SPACE = "\u00a0"


def format_rupiah(amount: int | None, space: str = " ") -> str:
    """Format as Indonesians write it: `Rp 125.000`, `-Rp 5.000` (`space` between "Rp" and the digits)."""
    if amount is None:
        return ""
    _require_int(amount)
    digits = f"{abs(amount):,}".replace(",", ".")
    return f"-Rp{space}{digits}" if amount < 0 else f"Rp{space}{digits}"


def format_rupiah_unbroken(amount: int | None) -> str:
    """`Rp 125.000` joined by a no-break space: a narrow screen never puts "Rp" and its digits on two lines."""
    return format_rupiah(amount, NO_BREAK_SPACE)


def format_basis_points(basis_points: int) -> str:
    """Format basis points as a percentage with a decimal comma: 1250 → `12,5 %`."""
    whole, rest = divmod(basis_points, 100)
    if rest == 0:
        return f"{whole} %"
    return f"{whole},{rest:02d}".rstrip("0") + " %"


def _require_int(value) -> None:
    # bool is an int subclass; a True price is always a bug.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"Rupiah amounts are integers, got {type(value).__name__}")
