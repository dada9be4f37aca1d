"""What ties one person's identities across apps: phone numbers and email addresses.

Every identity (a sender's name or handle on one platform) may carry a **link key**: the
phone number it is, in international form (``tel:+447700900123``, whatever notation the
export wrote: ``+44 7700 900123``, ``07700900123``, ``0044 7700 900123``), or the email
address it is (``email:alex@example.com``, case folded). Two identities with the same key
are the same person, and an import links them at once (:class:`.people.Directory`). Names
are never keys: two similar names are only *suggested* as one person
(:mod:`.suggestions`).

Numbers written without a country code are read in the **phone region**: the setting
``phone_region`` (``reciprocity people region GB``) when set, else the country of the
computer's language settings (``en_GB`` -> ``GB``), else none, and then only numbers
written with their country code get a key. :func:`phone_region` says which applies and
why.

Importers call nothing here: the store computes the key of every identity it saves with
:func:`link_key`. An importer only needs to write the phone number or address as the
sender's handle, or the name with it as email headers do (``Alex Kim <alex@example.com>``,
``Alex Kim <+44 7700 900123>``): a new person is then called by the name
(:func:`display_name`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from email.utils import parseaddr

import phonenumbers
from sqlalchemy import Connection, select

from reciprocity.errors import StoreError
from reciprocity.store.db import Database
from reciprocity.store.models import Setting

__all__ = [
    "REGION_SETTING",
    "Region",
    "display_name",
    "link_key",
    "phone_region",
    "region_of",
    "set_phone_region",
]

#: The setting holding the user's phone region (two letters, ``GB``).
REGION_SETTING = "phone_region"

# A handle that is a phone number and nothing else: digits with the usual separators,
# an optional leading + and at least 6 digits (shorter ones are service codes).
_PHONE = re.compile(r"^\s*(?:\+|00)?[\d\s().\-/]{6,}$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class Region:
    """The region numbers without a country code are read in, and where it came from."""

    code: str | None
    #: ``setting``, ``locale`` or ``none``
    source: str

    def describe(self) -> str:
        """The region in a sentence, as the CLI and the people page say it."""
        if self.code is None:
            return (
                "Phone numbers are matched only when written with their country code "
                "(no phone region is set; set one with: reciprocity people region GB)."
            )
        why = "your setting" if self.source == "setting" else "your computer's language settings"
        return (
            f"Phone numbers without a country code are read as {self.code} numbers "
            f"(from {why}; change it with: reciprocity people region XX)."
        )


def _locale_region() -> str | None:
    """The country of the process's locale (``en_GB.UTF-8`` -> ``GB``), if it names one."""
    # The environment only: Python's own locale.getlocale() reads "C.UTF-8" as en_US,
    # which would make every machine without a country setting a US one.
    names = [os.environ.get(var) for var in ("LC_ALL", "LC_CTYPE", "LANG")]
    for name in names:
        if not name:
            continue
        match = re.match(r"^[A-Za-z]{2,3}[_-]([A-Za-z]{2})\b", name)
        if match and match.group(1).upper() in phonenumbers.SUPPORTED_REGIONS:
            return match.group(1).upper()
    return None


def region_of(conn: Connection) -> Region:
    """The phone region in force for the database behind ``conn`` (see the module notes)."""
    stored = conn.scalar(select(Setting.value).where(Setting.key == REGION_SETTING))
    if stored:
        return Region(stored, "setting")
    found = _locale_region()
    return Region(found, "locale" if found else "none")


def phone_region(db: Database) -> Region:
    """:func:`region_of` for ``db``."""
    with db.engine.connect() as conn:
        return region_of(conn)


def set_phone_region(db: Database, code: str | None) -> Region:
    """Set the phone region to ``code`` (two letters, ``GB``; ``None`` goes back to the
    computer's language settings). Refuses a code the phone library does not know.

    Keys already stored are left as they are; identities saved from now on use it.
    """
    from reciprocity.store.settings import set_setting

    if code is not None:
        code = code.strip().upper()
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise StoreError(
                f"{code!r} is not a country code for phone numbers; use two letters such "
                "as GB, US, DE or IN"
            )
    set_setting(db, REGION_SETTING, code)
    return phone_region(db)


def _phone(handle: str, region: str | None) -> str | None:
    if not _PHONE.match(handle):
        return None
    text = handle.strip()
    if region is None and text.startswith("00"):
        # The international prefix of most of the world; with a region the library knows
        # that region's own (011 in North America).
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email(handle: str) -> str | None:
    address = handle.strip()
    if not _EMAIL.match(address):
        return None
    return "email:" + address.casefold()


_NAMED = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<address>[^<>]+)>\s*$")


def _split(handle: str) -> tuple[str, str]:
    """(name, address) of ``Name <address>``; ("", handle) otherwise."""
    match = _NAMED.match(handle)
    if match is None:
        return "", handle
    name, _ = parseaddr(handle)
    return (name or match.group("name")).strip(), match.group("address").strip()


def display_name(handle: str) -> str:
    """What to call a new person first seen as ``handle``: the name of ``Name <address>``,
    else the handle itself.

    >>> display_name('"Kim, Alex" <alex@example.com>'), display_name("+44 7700 900123")
    ('Kim, Alex', '+44 7700 900123')
    """
    name, _ = _split(handle)
    return name or handle


def link_key(platform: str, handle: str, region: str | None = None) -> str | None:
    """The key that ties ``handle`` to the same person on any app, or ``None``.

    A phone number in any notation gives ``tel:`` and the number in E.164
    (``+447700900123``; one without a country code only with ``region``); an email
    address gives ``email:`` and the address case-folded; either may come as
    ``Name <address>``.
    A name gives ``None``: names are suggested, never linked, as one person. ``platform``
    is accepted so that a platform whose handles are ids of its own can opt out later; no
    platform does so today.

    >>> link_key("sms", "+44 7700 900123"), link_key("whatsapp", "07700 900123", "GB")
    ('tel:+447700900123', 'tel:+447700900123')
    >>> link_key("email", "Alex Kim <Alex.Kim@Example.com>"), link_key("telegram", "Alex")
    ('email:alex.kim@example.com', None)
    """
    del platform  # every platform's phone numbers and addresses mean the same today
    _, address = _split(handle)
    if "@" in address:
        return _email(address)
    return _phone(address, region)
