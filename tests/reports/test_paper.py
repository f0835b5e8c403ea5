"""The default paper follows the user's locale (LC_ALL > LC_PAPER > LANG)."""

from __future__ import annotations

import pytest

from governance_app.reports.paper import default_page_size, territory


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "en_US.UTF-8"}, "letter"),
    ({"LANG": "fr_CA.UTF-8"}, "letter"),
    ({"LANG": "de_DE.UTF-8"}, "A4"),
    ({"LANG": "en_GB.UTF-8"}, "A4"),
    ({"LANG": "C.UTF-8"}, "A4"),
    ({}, "A4"),
    ({"LANG": "en_US.UTF-8", "LC_PAPER": "de_DE.UTF-8"}, "A4"),
    ({"LC_ALL": "es_MX.UTF-8", "LC_PAPER": "de_DE.UTF-8"}, "letter"),
])
def test_default_page_size_by_locale(environ: dict[str, str], expected: str) -> None:
    assert default_page_size(environ) == expected


def test_territory_parsing() -> None:
    assert territory("en_US.UTF-8@euro") == "US"
    assert territory("POSIX") == ""


def test_the_cli_offers_the_locale_default(monkeypatch) -> None:
    from governance_app.cli import build_parser

    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    args = build_parser().parse_args(["report", "audit", "-o", "a.pdf", "--member", "Ana"])
    assert args.page_size == "letter"
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    args = build_parser().parse_args(["report", "audit", "-o", "a.pdf", "--member", "Ana"])
    assert args.page_size == "A4"
