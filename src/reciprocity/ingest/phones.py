"""Phone numbers and the handles of people known by a number or an address.

SMS and iMessage name people by a phone number (or an email address), with a contact name
when the phone knows one. Such a sender is written ``Name <number>`` (the number in E.164,
``+4915112345678``, when it can be read as one), or the bare number when there is no name:
the name is what people see, the number is what links the same person across apps (see
:func:`split_handle`). The user's own messages carry :data:`OWN_SENDER`.
"""

from __future__ import annotations

import locale
import re
from functools import lru_cache

import phonenumbers

#: The sender of the user's own messages in exports that mark them (SMS, iMessage) but do
#: not name the user; the import links it to the one "me" person.
OWN_SENDER = "Me"

_HANDLE = re.compile(r"^(?P<name>.*?) <(?P<address>[^<>]+)>$")
_SEPARATORS = re.compile(r"[\s().\-/]+")


def default_region() -> str | None:
    """The two-letter country of this machine's locale (``"DE"`` for ``de_DE``), or ``None``.

    Numbers written without a country code (``0151 1234567``) are read as numbers of
    this country; without one they are kept as written.
    """
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:  # pragma: no cover - depends on the machine
        return None
    region = name.partition("_")[2][:2].upper()
    return region if len(region) == 2 and region.isalpha() else None


@lru_cache(maxsize=65_536)
def normalise(raw: str, region: str | None = None) -> str:
    """The number ``raw`` in E.164 (``+4915112345678``) when it reads as one, else ``raw``
    without spaces and punctuation (short codes, email addresses, names kept as they are).

    >>> normalise("+49 151 1234-5678")
    '+4915112345678'
    >>> normalise("(030) 1234567", "DE")
    '+49301234567'
    >>> normalise("alex@example.com")
    'alex@example.com'
    """
    text = raw.strip()
    if "@" in text or not any(c.isdigit() for c in text):
        return text.lower() if "@" in text else text
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return _SEPARATORS.sub("", text) or text


def region_of(number: str) -> str | None:
    """The two-letter country of an E.164 number (``"DE"`` for ``+49…``), or ``None``."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None
    return region if region and region != "ZZ" else None


def handle(name: str | None, address: str) -> str:
    """The sender handle for a person called ``name`` (or unnamed) at ``address``.

    >>> handle("Alex Kim", "+4915112345678")
    'Alex Kim <+4915112345678>'
    >>> handle(None, "+4915112345678")
    '+4915112345678'
    """
    name = (name or "").strip()
    return f"{name} <{address}>" if name and name != address else address


def split_handle(text: str) -> tuple[str | None, str]:
    """The name and the address of a handle made by :func:`handle`.

    >>> split_handle("Alex Kim <+4915112345678>")
    ('Alex Kim', '+4915112345678')
    >>> split_handle("+4915112345678")
    (None, '+4915112345678')
    """
    found = _HANDLE.match(text) if len(text) <= 1000 else None
    if found is None:
        return None, text
    return found["name"], found["address"]
