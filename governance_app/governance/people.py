"""Whether two ways of writing a person's name mean the same person.

Registries record users as ``jonas.berg`` or ``jonas_berg@bank.example`` while the board knows
a member as "Jonas Berg". Rules that bar a person from deciding on their own work (a finding's
owner closing it) must not be dodged by spelling: names are compared ignoring case, spaces and
punctuation, and an email address also matches by its user part.
"""

from __future__ import annotations


def person_key(text: str) -> str:
    """Lower-case letters and digits only: ``"Jonas Berg"`` and ``jonas.berg`` give one key."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _keys(text: str) -> set[str]:
    keys = {person_key(text)}
    if "@" in text:
        keys.add(person_key(text.split("@", 1)[0]))
    return keys - {""}


def same_person(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name the same person by the rule above."""
    return bool(_keys(a) & _keys(b))
