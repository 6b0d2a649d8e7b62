"""Rupiah are integers; one rounding rule; Indonesian formatting."""
import pytest

from gallery.money import apply_basis_points, divide_half_up, format_basis_points, format_rupiah, less_basis_points


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(0, "Rp 0"), (500, "Rp 500"), (125_000, "Rp 125.000"), (1_750_000, "Rp 1.750.000"), (-5_000, "-Rp 5.000")],
)
def test_rupiah_is_written_with_dots_between_thousands(amount, expected):
    assert format_rupiah(amount) == expected


def test_basis_points_round_half_up_once():
    assert apply_basis_points(85_000, 2000) == 17_000
    assert apply_basis_points(12_345, 1500) == 1852  # 1851.75 → 1852
    assert apply_basis_points(10_001, 5000) == 5001  # 5000.5 → 5001 (half up)
    assert apply_basis_points(10_003, 5000) == 5002  # 5001.5 → 5002
    assert less_basis_points(85_000, 2000) == 68_000


def test_division_rounds_halves_away_from_zero_for_negative_amounts():
    assert divide_half_up(-15, 10) == -2
    assert divide_half_up(-14, 10) == -1
    assert divide_half_up(15, 10) == 2


@pytest.mark.parametrize("bad", [1.5, "100", True, None])
def test_money_refuses_anything_but_integers(bad):
    with pytest.raises(TypeError):
        apply_basis_points(bad, 1000)


def test_percentages_from_basis_points():
    assert format_basis_points(2000) == "20 %"
    assert format_basis_points(1250) == "12,5 %"
    assert format_basis_points(1225) == "12,25 %"


def test_pages_join_rp_and_its_digits_with_a_no_break_space_and_plain_text_keeps_a_space(app):
    from flask import render_template_string

    from gallery.money import format_rupiah_unbroken

    assert format_rupiah_unbroken(125_000) == "Rp\u00a0125.000" and format_rupiah_unbroken(-5_000) == "-Rp\u00a05.000"
    with app.test_request_context():
        assert render_template_string("{{ 125000 | rupiah }}") == "Rp\u00a0125.000"  # autoescaped, like .html
        plain = app.jinja_env.overlay(autoescape=False).from_string("{{ 125000 | rupiah }}")
        assert plain.render() == "Rp 125.000"  # e-mails and messages (.txt templates)
