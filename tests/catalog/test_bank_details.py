"""Bank details are validated where they come in (staff edits and producers' change requests): the
account number is digits, the bank and holder are names; formulas never get in."""
import pytest

from gallery.catalog.bank_details import clean_account_number, clean_bank_name_field
from gallery.errors import DomainError
from tests.test_spreadsheets import PAYLOAD


@pytest.mark.parametrize(("typed", "kept"), [("1101-0200-3344", "1101-0200-3344"), (" 0011 0100 0123 ", "0011 0100 0123"),
                                             ("", None), (None, None)])
def test_an_account_number_of_digits_with_the_bank_books_separators_is_kept(typed, kept):
    assert clean_account_number(typed) == kept


@pytest.mark.parametrize("typed", ["999", "12a45678", "-12345678", "=1+2345678", "123456789012345678901", "١٢٣٤٥٦٧"])
def test_an_account_number_that_is_not_digits_is_refused(typed):
    with pytest.raises(DomainError) as refused:
        clean_account_number(typed)
    assert refused.value.field == "bank_account_number"


@pytest.mark.parametrize("name", ["Bundo Yusnimar", "CV. Rendang Uni & Anak", "Nur'aini", "PT Bank Nagari (Painan)"])
def test_ordinary_names_are_accepted(name):
    assert clean_bank_name_field(name, "bank_account_holder") == name


@pytest.mark.parametrize("name", [PAYLOAD, "+628123", "@holder", "-Budi", "1Budi"])
def test_a_holder_that_is_not_a_name_is_refused(name):
    with pytest.raises(DomainError) as refused:
        clean_bank_name_field(name, "bank_account_holder")
    assert refused.value.field == "bank_account_holder"


def test_a_producer_cannot_request_a_formula_as_bank_holder(make):
    from gallery.accounts.models import Role
    from gallery.portal import services

    producer = make.producer()
    user = make.user(Role.PRODUCER, producer=producer)
    with pytest.raises(DomainError):
        services.request_change(producer, {"bank_account_holder": PAYLOAD}, user=user)


def test_staff_cannot_save_a_formula_as_bank_holder(make):
    with pytest.raises(DomainError):
        make.producer(bank_account_holder=PAYLOAD)
