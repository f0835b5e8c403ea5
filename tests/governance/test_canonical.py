"""RFC 8785 canonical JSON: stable under key order and number spelling, strict about types."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance_app.governance.canonical import (
    NotCanonicalError,
    canonical_bytes,
    iso_utc,
    normalised,
    parse_iso_utc,
    sha256_hex,
)

finite = st.floats(allow_nan=False, allow_infinity=False)
safe_ints = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
scalars = st.none() | st.booleans() | safe_ints | finite | st.text(max_size=20)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=5),
    max_leaves=30,
)


def _shuffled(value, rng):
    """The same JSON value with every object's keys in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


@given(documents, st.randoms(use_true_random=False))
def test_key_order_does_not_change_the_bytes(doc, rng) -> None:
    assert canonical_bytes(_shuffled(doc, rng)) == canonical_bytes(doc)


@given(documents)
def test_reparsing_the_bytes_is_a_fixed_point(doc) -> None:
    once = canonical_bytes(doc)
    assert canonical_bytes(json.loads(once)) == once
    assert canonical_bytes(normalised(doc)) == once


@given(finite)
def test_a_float_and_any_text_spelling_of_it_serialise_identically(x) -> None:
    spellings = {repr(x), f"{x:.17g}", f"{x:.17e}", json.dumps(x)}
    if x == int(x) and abs(x) < 2**53:
        spellings |= {str(int(x)), f"{int(x)}.0"}
    encoded = {canonical_bytes(json.loads(s)) for s in spellings}
    assert len(encoded) == 1


@pytest.mark.parametrize(("a", "b"), [(1.0, 1), (1e2, 100.0), (100, 1e2), (-0.0, 0),
                                      (0.1 + 0.2, 0.30000000000000004), (1e21, 1e21)])
def test_rfc8785_number_examples(a, b) -> None:
    assert canonical_bytes({"v": a}) == canonical_bytes({"v": b})


def test_known_rfc8785_output() -> None:
    doc = {"b": [1e2, 1.5, "é", True, None], "a": {"z": 1e21, "y": 1e-7}}
    assert canonical_bytes(doc) == '{"a":{"y":1e-7,"z":1e+21},"b":[100,1.5,"é",true,null]}'\
        .encode()
    assert sha256_hex(doc) == sha256_hex(json.loads(json.dumps(doc, sort_keys=False)))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"x": [math.nan]}])
def test_non_finite_numbers_are_refused_clearly(bad) -> None:
    with pytest.raises(NotCanonicalError, match="non-finite"):
        canonical_bytes(bad)


@pytest.mark.parametrize("bad", [b"bytes", {1: "int key"}, datetime.now(UTC), {"s": {1, 2}}])
def test_non_json_types_are_refused_clearly(bad) -> None:
    with pytest.raises(NotCanonicalError, match="not plain JSON"):
        canonical_bytes(bad)


def test_signed_time_text_is_one_form_in_utc() -> None:
    moment = datetime(2026, 11, 25, 11, 16, 43, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert iso_utc(moment) == "2026-11-25T10:16:43.123456Z"
    assert parse_iso_utc(iso_utc(moment)) == moment
    with pytest.raises(ValueError, match="naive"):
        iso_utc(datetime(2026, 1, 1))


def test_a_large_integral_float_survives_a_round_trip_through_json() -> None:
    # 2**53 as a double is written without a fraction and reads back as an int: the
    # database hands that int back, and it must hash as the double that was signed.
    assert canonical_bytes(json.loads(canonical_bytes({"v": 2.0**53}))) == b'{"v":9007199254740992}'
    assert canonical_bytes(json.loads(canonical_bytes(1e300))) == b"1e+300"
    assert canonical_bytes(json.loads(canonical_bytes(5.516895455971554e16))) == \
        b"55168954559715540"


def test_an_integer_no_double_holds_is_refused() -> None:
    with pytest.raises(NotCanonicalError, match="store it as a string"):
        canonical_bytes({"id": 2**53 + 1})


texts = st.text(max_size=12)  # includes control characters, non-ASCII and surrogates
fast_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(texts, inner, max_size=5),
    max_leaves=30,
)


@given(fast_documents)
def test_the_verification_shortcut_agrees_with_the_reference(doc) -> None:
    from governance_app.governance.canonical import fast_canonical_bytes

    try:
        expected = canonical_bytes(doc)
    except NotCanonicalError:
        with pytest.raises(NotCanonicalError):
            fast_canonical_bytes(doc)
        return
    assert fast_canonical_bytes(doc) == expected


@given(st.integers(1, 10**9), st.datetimes(timezones=st.just(UTC)), texts, texts, texts,
       st.none() | texts, fast_documents.filter(lambda d: isinstance(d, dict)))
def test_the_fast_event_hash_agrees_with_the_reference(seq, at, actor, kind, subject, model,
                                                       payload) -> None:
    from governance_app.governance import audit

    try:
        document = audit.event_document(seq, at, actor, kind, subject, model, payload, "ab" * 32)
        expected = audit.event_hash("ab" * 32, document)
    except NotCanonicalError:
        return
    fast = audit._fast_hash("ab" * 32, seq, document["at"], actor, kind, subject, model, payload)
    assert fast in (expected, "")  # "" defers to the reference (lone surrogates)
