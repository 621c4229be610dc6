"""Names made for accounts nobody typed a name for (single sign-on): from the claims, to the
username rules, free."""

import pytest

from accounts.usernames import username_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_first_usable_candidate_wins():
    assert username_for("ada", "Ada Lovelace", "ada@example.com") == "ada"


def test_an_address_gives_its_local_part():
    assert username_for(None, "ada.lovelace@example.com") == "ada.lovelace"


def test_a_name_with_spaces_becomes_one_word():
    assert username_for("Ada  King Lovelace") == "Ada-King-Lovelace"


def test_a_taken_name_gets_the_next_free_suffix():
    UserFactory(username="ada")
    UserFactory(username="ada-2")

    assert username_for("ada") == "ada-3"


def test_a_look_alike_of_a_members_name_is_not_used():
    UserFactory(username="paypal")

    # A Cyrillic a (U+0430) mixed in is refused; "PayPa1" reads as the member's name.
    assert username_for("p\u0430ypal", "PayPa1", "someone@example.com") == "someone"


def test_reserved_invisible_and_fancy_characters_are_not_kept():
    assert username_for("me", "deleted-7") == "member"
    assert username_for("a\u200bda") == "ada"
    assert username_for("\uff46\uff55\uff4c\uff4c") == "full"


def test_nothing_usable_gives_member():
    assert username_for(None, "", "@@@") == "member"
    UserFactory(username="member")
    assert username_for("!!!") == "member-2"


def test_a_long_name_is_cut_to_leave_room_for_a_suffix():
    name = username_for("x" * 300)

    assert len(name) == 140
