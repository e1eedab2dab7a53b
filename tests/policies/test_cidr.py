"""The address-range reading every security-group and bucket-policy check shares."""

from __future__ import annotations

import pytest

from goldenpath.policies.aws_security._cidr import anywhere, is_anywhere


@pytest.mark.parametrize(
    "cidr",
    [
        "0.0.0.0/0",
        " 0.0.0.0/0 ",
        "10.0.0.0/0",
        "::/0",
        "::0/0",
        "0:0:0:0:0:0:0:0/0",
        "0000:0000:0000:0000:0000:0000:0000:0000/0",
        "2001:db8::/0",
    ],
)
def test_every_spelling_of_a_slash_zero_is_anywhere(cidr):
    assert is_anywhere(cidr)


@pytest.mark.parametrize("value", ["10.0.0.0/8", "::/128", "0.0.0.0/32", "0.0.0.0", "anywhere", "", None, 0])
def test_a_narrower_range_or_a_non_range_is_not_anywhere(value):
    assert not is_anywhere(value)


def test_ranges_that_together_hold_a_whole_family_are_anywhere():
    assert anywhere(["0.0.0.0/1", "128.0.0.0/1"]) == ("0.0.0.0/1", "128.0.0.0/1")
    assert anywhere(["::/1", "8000::/1"]) == ("::/1", "8000::/1")


def test_only_the_ranges_that_hold_everything_are_named():
    assert anywhere(["10.0.0.0/8", "0000:0000:0000:0000:0000:0000:0000:0000/0"]) == (
        "0000:0000:0000:0000:0000:0000:0000:0000/0",
    )


def test_halves_of_different_families_do_not_add_up():
    assert anywhere(["0.0.0.0/1", "8000::/1"]) == ()
