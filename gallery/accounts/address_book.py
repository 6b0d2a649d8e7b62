"""A customer's address book: saved delivery addresses, one of them the default prefilled at checkout.

Every address is checked like a checkout address (gallery.shipping.addresses: the district in its regency
and province, the postal code of that province). A customer keeps at most MAX_ADDRESSES; the first saved
becomes the default, and deleting the default makes the newest remaining one the default. Only the owner
ever reaches an address (anything else is NotFound, as if it did not exist).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from gallery.accounts.address_models import SavedAddress
from gallery.accounts.models import User
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.shipping.addresses import Address, check_address

MAX_ADDRESSES = 10


def addresses_of(user: User) -> list[SavedAddress]:
    """The customer's addresses, the default first, then the newest (one statement)."""
    return list(db.session.scalars(
        select(SavedAddress).where(SavedAddress.user_id == user.id)
        .order_by(SavedAddress.is_default.desc(), SavedAddress.id.desc())))


def default_address(user: User) -> SavedAddress | None:
    """The address checkout starts with, if the customer has one."""
    return db.session.scalar(select(SavedAddress).where(SavedAddress.user_id == user.id)
                             .order_by(SavedAddress.is_default.desc(), SavedAddress.id.desc()).limit(1))


def address_of(user: User, address_id: int) -> SavedAddress:
    """One of the customer's own addresses, or NotFound."""
    found = db.session.get(SavedAddress, address_id)
    if found is None or found.user_id != user.id:
        raise NotFound(_l("Alamat tidak ditemukan."))
    return found


def as_address(saved: SavedAddress) -> Address:
    return Address(saved.province_code, saved.regency_code, saved.district_code, saved.street, saved.postal_code)


def _make_default(user: User, saved: SavedAddress) -> None:
    db.session.execute(update(SavedAddress).where(SavedAddress.user_id == user.id, SavedAddress.id != saved.id)
                       .values(is_default=False).execution_options(synchronize_session=False))
    saved.is_default = True


def save_address(user: User, address: Address, *, label: str = "", make_default: bool = False,
                 address_id: int | None = None) -> SavedAddress:
    """Add an address (or change one of the customer's own); flushes, the caller commits."""
    checked = check_address(address)
    label = (label or "").strip()
    if len(label) > 40:
        raise DomainError(_l("Nama alamat paling banyak 40 huruf."), field="label")
    if address_id is None:
        count = db.session.scalar(select(func.count()).where(SavedAddress.user_id == user.id)) or 0
        if count >= MAX_ADDRESSES:
            raise DomainError(_l("Paling banyak %(n)s alamat; hapus yang tidak dipakai lagi.", n=MAX_ADDRESSES),
                              field="label")
        saved = SavedAddress(user_id=user.id, is_default=count == 0)
        db.session.add(saved)
    else:
        saved = address_of(user, address_id)
    saved.label = label
    saved.province_code, saved.regency_code, saved.district_code = (
        checked.province_code, checked.regency_code, checked.district_code)
    saved.street, saved.postal_code = checked.street, checked.postal_code
    db.session.flush()
    if make_default:
        _make_default(user, saved)
    db.session.flush()
    return saved


def set_default(user: User, address_id: int) -> SavedAddress:
    """Checkout starts with this address from now on (flushes)."""
    saved = address_of(user, address_id)
    _make_default(user, saved)
    db.session.flush()
    return saved


def delete_address(user: User, address_id: int) -> None:
    """Forget an address (orders keep their own copy); the newest remaining becomes the default (flushes)."""
    saved = address_of(user, address_id)
    was_default = saved.is_default
    db.session.delete(saved)
    db.session.flush()
    if was_default and (newest := default_address(user)) is not None:
        newest.is_default = True
    db.session.flush()


def remember(user: User, address: Address) -> SavedAddress | None:
    """After checkout: keep the address used, unless the same one is already in the book or it is full.

    save_address refuses (DomainError) before it adds anything, so a refusal leaves the caller's
    transaction as it was; the caller commits."""
    same = db.session.scalar(select(SavedAddress).where(
        SavedAddress.user_id == user.id, SavedAddress.district_code == address.district_code,
        SavedAddress.street == address.street.strip(), SavedAddress.postal_code == address.postal_code.strip()))
    if same is not None:
        return same
    try:
        return save_address(user, address)
    except DomainError:
        return None
