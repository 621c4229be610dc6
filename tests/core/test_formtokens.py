"""One submit = one write: the one-time tokens of create forms (core.formtokens)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tasks import forget_login_throttles
from core import formtokens
from core.models import FormToken
from ideas.models import Category
from tests.conftest import need
from tests.factories import CategoryFactory, UserFactory

TOKEN = "a" * 24


def _make_category(name: str):
    return lambda: CategoryFactory(name=name, slug=name.lower())


def test_the_first_post_creates_and_a_second_gets_its_object(db):
    user = UserFactory()
    first = formtokens.create_once(
        user=user, kind="idea", token=TOKEN, create=_make_category("First")
    )
    second = formtokens.create_once(
        user=user, kind="idea", token=TOKEN, create=_make_category("Second")
    )
    assert first.created is not None and first.earlier_id is None
    assert second.created is None and second.earlier_id == first.created.pk
    assert list(Category.objects.values_list("name", flat=True)) == ["First"]
    assert formtokens.earlier_id(user=user, kind="idea", token=TOKEN) == first.created.pk


def test_another_users_token_never_matches(db):
    alice, bob = UserFactory(), UserFactory()
    formtokens.create_once(user=alice, kind="idea", token=TOKEN, create=_make_category("Mine"))
    assert formtokens.earlier_id(user=bob, kind="idea", token=TOKEN) is None
    theirs = formtokens.create_once(
        user=bob, kind="idea", token=TOKEN, create=_make_category("Theirs")
    )
    assert theirs.created is not None
    assert Category.objects.count() == 2


def test_a_token_is_kept_per_kind_of_form(db):
    user = UserFactory()
    formtokens.create_once(user=user, kind="idea", token=TOKEN, create=_make_category("Idea"))
    other = formtokens.create_once(
        user=user, kind="comment", token=TOKEN, create=_make_category("Comment")
    )
    assert other.created is not None


def test_no_token_creates_every_time(db):
    user = UserFactory()
    for name in ("One", "Two"):
        assert formtokens.create_once(
            user=user, kind="idea", token=None, create=_make_category(name)
        ).created
    assert Category.objects.count() == 2
    assert not FormToken.objects.exists()


def test_a_refused_create_leaves_the_token_unused(db):
    user = UserFactory()

    def refuse():
        raise ValueError("refused")

    with pytest.raises(ValueError):
        formtokens.create_once(user=user, kind="idea", token=TOKEN, create=refuse)
    assert not FormToken.objects.exists()
    assert formtokens.create_once(
        user=user, kind="idea", token=TOKEN, create=_make_category("Later")
    ).created


@pytest.mark.parametrize(
    "value, clean",
    [(TOKEN, TOKEN), ("", None), (None, None), ("short", None), ("a" * 65, None), ("é" * 20, None)],
)
def test_only_a_token_such_as_token_new_makes_counts(value, clean):
    assert formtokens.token_clean(value) == clean
    assert formtokens.token_clean(formtokens.token_new())


def test_a_kept_rendering_gets_a_fresh_token_in_each_form():
    html = f"<input value='{formtokens.TOKEN_MARK}'><input value='{formtokens.TOKEN_MARK}'>"
    filled = formtokens.fill_token_marks(html)
    first = formtokens.fill_token_marks(html)
    assert formtokens.TOKEN_MARK not in filled
    tokens = [part.split("'")[0] for part in filled.split("value='")[1:]]
    assert len(set(tokens)) == 2 and all(formtokens.token_clean(t) for t in tokens)
    assert first != filled


def test_tokens_older_than_a_week_are_forgotten_and_twice_is_safe(db):
    user = UserFactory()
    now = timezone.now()
    FormToken.objects.create(
        user=user, kind="idea", token="old" * 8, created_at=now - dt.timedelta(days=8)
    )
    FormToken.objects.create(user=user, kind="idea", token="new" * 8, created_at=now)
    assert formtokens.tokens_forget(now=now) == 1
    assert formtokens.tokens_forget(now=now) == 0
    assert list(FormToken.objects.values_list("token", flat=True)) == ["new" * 8]


def test_the_daily_job_forgets_old_tokens(db):
    user = UserFactory()
    old = timezone.now() - dt.timedelta(days=30)
    FormToken.objects.create(user=user, kind="idea", token=TOKEN, created_at=old)
    assert forget_login_throttles()["form_tokens_deleted"] == 1
    assert forget_login_throttles()["form_tokens_deleted"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_the_same_moment_create_one_object():
    need(connection.vendor == "postgresql", "PostgreSQL is not configured (set DATABASE_URL)")
    user = UserFactory()
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def post(name: str) -> None:
        try:
            start.wait()

            def create():
                made = CategoryFactory(name=name, slug=name.lower())
                time.sleep(0.3)  # hold the token's row while the twin tries to claim it
                return made

            outcomes.append(
                formtokens.create_once(user=user, kind="idea", token=TOKEN, create=create)
            )
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(name,)) for name in ("Left", "Right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    created = [o.created for o in outcomes if o.created is not None]
    assert len(created) == 1
    assert [o.earlier_id for o in outcomes if o.created is None] == [created[0].pk]
    assert Category.objects.count() == 1
