import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.changelog import entries_publish_due, entry_publish
from changelog.models import Entry
from changelog.services import entry_save
from ideas.models import Status
from notifications.emails import emails_send_each
from notifications.models import Follow, Notification
from tests.factories import IdeaFactory, UserFactory
from votes.services import vote_cast

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def pat_client(pat):
    client = Client()
    client.force_login(pat)
    return client


def _post(client, **fields):
    data = {"title": "Battery saver mode", "body": "It **ships** today.", "when": "now"}
    data.update(fields)
    return client.post("/changelog/new/", data)


def test_publishing_marks_ideas_implemented_and_tells_each_backer_once(pat_client, pat, alice, bob):
    first, second = IdeaFactory(status=Status.PLANNED), IdeaFactory(status=Status.IN_PROGRESS)
    vote_cast(voter=alice, idea=first, value=1)
    vote_cast(voter=alice, idea=second, value=1)  # backs both: told once
    vote_cast(voter=bob, idea=second, value=-1)  # demoted it: still a voter, told
    carol = UserFactory(username="carol")
    Follow.objects.create(user=carol, idea=first, following=True)
    response = _post(pat_client, ideas=f"{first.pk}, #{second.pk}")
    assert response.status_code == 302
    entry = Entry.objects.get()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Status.IMPLEMENTED
    shipped = Notification.objects.filter(kind=Notification.Kind.SHIPPED)
    expected = {"alice", "bob", "carol", first.author.username, second.author.username}
    assert sorted(n.recipient.username for n in shipped) == sorted(expected)
    assert entry.is_published and entry.notified == len(expected)
    # No "is now Implemented" notification on top of the changelog's.
    assert not Notification.objects.filter(kind=Notification.Kind.STATUS).exists()


def test_publishing_twice_tells_nobody_twice(pat, alice):
    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=1)
    entry = entry_save(actor=pat, title="Shipped", body="", ideas=[idea], publish_at=None)
    assert entry_publish(entry=entry, actor=pat) >= 1
    assert entry_publish(entry=entry, actor=pat) == 0
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_a_double_click_saves_one_entry(pat_client):
    idea = IdeaFactory()
    _post(pat_client, ideas=str(idea.pk))
    again = _post(pat_client, ideas=str(idea.pk))
    assert again.status_code == 302
    assert Entry.objects.count() == 1


def test_the_email_goes_out_with_the_list_headers(pat_client, alice):
    idea = IdeaFactory(title="Longer battery life")
    vote_cast(voter=alice, idea=idea, value=1)
    _post(pat_client, ideas=str(idea.pk))
    emails_send_each()
    sent = [m for m in mail.outbox if alice.email in m.to]
    assert len(sent) == 1
    assert "Longer battery life" in sent[0].body and "Battery saver mode" in sent[0].body
    assert "List-Unsubscribe" in sent[0].extra_headers


@pytest.mark.parametrize("state", ["hidden", "withdrawn", "held", "merged"])
def test_an_entry_cant_link_an_idea_nobody_sees(pat_client, state):
    idea = IdeaFactory()
    other = IdeaFactory()
    now = timezone.now()
    changes = {
        "hidden": {"hidden_at": now},
        "withdrawn": {"withdrawn_at": now},
        "held": {"held_at": now},
        "merged": {"merged_into": other},
    }[state]
    type(idea).objects.filter(pk=idea.pk).update(**changes)
    response = _post(pat_client, ideas=str(idea.pk))
    assert response.status_code == 400
    assert f"No idea #{idea.pk} on the board" in response.content.decode()
    assert not Entry.objects.exists()


def test_bad_idea_references_are_refused_at_the_field(pat_client):
    response = _post(pat_client, ideas="12, banana")
    assert response.status_code == 400 and "“banana” is not an idea" in response.content.decode()


def test_drafts_are_for_product_managers_only(pat_client, client, alice_client):
    _post(pat_client, when="draft", title="Secret plans")
    entry = Entry.objects.get()
    assert not entry.is_published
    assert "Secret plans" not in client.get("/changelog/").content.decode()
    assert Client().get(entry.get_absolute_url()).status_code == 404
    assert Client().get(f"/api/changelog/{entry.pk}/").status_code == 404
    assert "Secret plans" in pat_client.get("/changelog/").content.decode()
    assert pat_client.get(entry.get_absolute_url()).status_code == 200
    assert alice_client.get("/changelog/new/").status_code == 403


def test_a_scheduled_entry_is_published_by_the_job_when_due(pat_client, alice):
    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=1)
    at = (timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = _post(pat_client, ideas=str(idea.pk), when="schedule", publish_at=at)
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.is_scheduled
    assert entries_publish_due()["published"] == 0
    later = timezone.now() + dt.timedelta(hours=3)
    assert entries_publish_due(now=later) == {"published": 1, "told": 2, "failed": 0}
    assert entries_publish_due(now=later)["published"] == 0  # idempotent
    entry.refresh_from_db()
    assert entry.is_published
    assert Notification.objects.filter(recipient=alice, kind="shipped").count() == 1


def test_a_schedule_in_the_past_is_refused(pat_client):
    at = (timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = _post(pat_client, when="schedule", publish_at=at)
    assert response.status_code == 400 and "Choose a time ahead" in response.content.decode()


def test_the_entry_shows_on_its_ideas_pages_in_the_feed_and_api(pat_client, client):
    idea = IdeaFactory(title="Dark mode")
    _post(pat_client, ideas=str(idea.pk), title="Dark mode is here")
    entry = Entry.objects.get()
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Dark mode is here" in page and entry.get_absolute_url() in page
    listing = client.get("/changelog/").content.decode()
    assert "Dark mode is here" in listing and idea.get_absolute_url() in listing
    feed = ET.fromstring(client.get("/feeds/changelog/").content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Dark mode is here"]
    assert entries[0].find(f"{ATOM}updated") is not None
    assert entries[0].find(f"{ATOM}id").text.endswith(f"/changelog/{entry.pk}/")
    api = client.get("/api/changelog/").json()
    assert api["count"] == 1 and api["results"][0]["ideas"][0]["id"] == idea.pk


def test_a_published_entrys_ideas_stay_but_its_text_can_change(pat_client):
    idea = IdeaFactory()
    _post(pat_client, ideas=str(idea.pk))
    entry = Entry.objects.get()
    response = pat_client.post(
        f"/changelog/{entry.pk}/edit/", {"title": "Renamed entry", "body": "Fixed typo."}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Renamed entry" and list(entry.ideas.all()) == [idea]
    assert pat_client.post(f"/changelog/{entry.pk}/delete/").status_code == 302
    assert Entry.objects.filter(pk=entry.pk).exists()  # published: kept


def test_a_renamed_entrys_old_slug_redirects(pat_client, client):
    _post(pat_client)
    entry = Entry.objects.get()
    response = client.get(f"/changelog/{entry.pk}/old-slug/")
    assert response.status_code == 301 and response["Location"] == entry.get_absolute_url()


def test_an_idea_already_implemented_is_shipped_without_a_second_status(pat_client, alice):
    idea = IdeaFactory(status=Status.IMPLEMENTED)
    vote_cast(voter=alice, idea=idea, value=1)
    assert _post(pat_client, ideas=str(idea.pk)).status_code == 302
    assert Entry.objects.get().is_published
    assert not idea.status_changes.exists()


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_publish_one_entry_and_tell_each_person_once(pat, alice, postgres):
    import threading

    from django.db import connection

    idea = IdeaFactory(status=Status.IMPLEMENTED)
    vote_cast(voter=alice, idea=idea, value=1)
    barrier, codes = threading.Barrier(2), []

    def click():
        client = Client()
        client.force_login(pat)
        barrier.wait()
        try:
            codes.append(_post(client, ideas=str(idea.pk), title="Ship it").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [302, 302]
    assert Entry.objects.count() == 1
    assert Notification.objects.filter(recipient=alice, kind="shipped").count() == 1


def test_the_new_entry_form_posted_twice_saves_one_entry_and_lands_on_it(pat_client):
    html = pat_client.get("/changelog/new/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    first = _post(pat_client, when="draft", form_token=token)
    second = _post(pat_client, when="draft", form_token=token)
    entry = Entry.objects.get()
    assert first.status_code == 302 and first.url == entry.get_absolute_url()
    assert second.status_code == 303
    assert second.url == reverse("changelog-entry-bare", args=[entry.pk])
    assert pat_client.get(second.url, follow=True).status_code == 200
    assert 'data-counter-for="id_title"' in html and 'data-counter-for="id_body"' in html
