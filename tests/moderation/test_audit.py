"""The audit log: moderators read it, newest first, filtered and paginated; nobody edits it,
not through the site, not through the admin, not in SQL on PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from actions.moderation import content_hide, content_restore
from core.audit import audit_record
from core.models import AuditEntry
from tests.factories import IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

AUDIT = reverse("moderation-audit")


@pytest.fixture
def mo_client(client, mo):
    client.force_login(mo)
    return client


@pytest.fixture
def history(mo, bob, bobs_idea, bobs_comment):
    """Three entries: hide an idea, restore it, hide a comment, in that order."""
    content_hide(moderator=mo, target=bobs_idea, reason="Advert")
    content_restore(moderator=mo, target=bobs_idea, reason="Misread it")
    content_hide(moderator=mo, target=bobs_comment, reason="Rude")
    return list(AuditEntry.objects.order_by("id"))


def test_visitors_log_in_members_and_pms_are_refused(client, alice, pat):
    response = client.get(AUDIT)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for user in (alice, pat):
        client.force_login(user)
        assert client.get(AUDIT).status_code == 403


def test_the_log_is_read_only(mo_client):
    assert mo_client.post(AUDIT).status_code == 405
    assert mo_client.delete(AUDIT).status_code == 405


def test_entries_newest_first_with_who_what_when_why_and_the_diff(mo_client, history, bobs_idea):
    response = mo_client.get(AUDIT)
    assert response.status_code == 200
    assert [entry for entry, _ in response.context["rows"]] == history[::-1]
    html = response.content.decode()
    assert ">mo</strong> hid the idea “<a" in html and "hid a comment" in html
    assert "idea.hidden" not in html.split("<ol", 1)[1]  # plain language, not action codes
    assert "Misread it" in html and "<time" in html
    assert f'href="{reverse("idea-detail", args=[bobs_idea.pk])}"' in html
    _, diff = response.context["rows"][1]  # the restore
    fields = [field for field, _, _ in diff]
    assert fields == ["hidden_at"]
    assert "<del>" in html and "<ins>" in html


def test_filters_by_action_actor_and_target_type(mo_client, history, bob, bobs_idea):
    def actions(**query) -> list[str]:
        rows = mo_client.get(AUDIT, query).context["rows"]
        return [entry.action for entry, _ in rows]

    assert actions(action="idea.hidden") == ["idea.hidden"]
    assert actions(target_type="comment") == ["comment.hidden"]
    assert actions(actor="MO") == ["comment.hidden", "idea.restored", "idea.hidden"]
    assert actions(actor="someone") == []
    html = mo_client.get(AUDIT).content.decode()
    assert '<option value="idea.restored">' in html


def test_an_unknown_filter_value_shows_everything(mo_client, history):
    response = mo_client.get(AUDIT, {"action": "nope"})
    assert response.status_code == 200 and len(response.context["rows"]) == 3


def test_system_entries_show_the_system(mo_client, bobs_idea):
    audit_record(actor=None, action="idea.auto_hidden", target=bobs_idea, reason="3 flags")
    assert "the system" in mo_client.get(AUDIT).content.decode()


def test_paginated_keeping_the_filters(mo_client, mo):
    idea = IdeaFactory()
    for i in range(55):
        audit_record(actor=mo, action="idea.hidden", target=idea, reason=f"r{i}")
    response = mo_client.get(AUDIT, {"action": "idea.hidden"})
    assert len(response.context["rows"]) == 50
    assert "action=idea.hidden&amp;page=2" in response.content.decode()
    response = mo_client.get(AUDIT, {"action": "idea.hidden", "page": 2})
    assert [e.reason for e, _ in response.context["rows"]] == [f"r{i}" for i in range(4, -1, -1)]


@pytest.mark.parametrize("n", [1, 20])
def test_query_count_is_constant(mo_client, mo, django_assert_max_num_queries, n):
    for _ in range(n):
        audit_record(actor=UserFactory(), action="user.banned", target=UserFactory(), reason="x")
    # Session, user, groups, the action choices, count, page, unread notifications.
    with django_assert_max_num_queries(7):
        response = mo_client.get(AUDIT)
    assert len(response.context["rows"]) == n


def test_admin_lists_entries_but_cannot_add_change_or_delete(client, history):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    entry = history[0]
    change = reverse("admin:core_auditentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200  # the view page, read-only
    assert client.post(change, {"reason": "rewritten"}).status_code == 403
    delete = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).reason == "Advert"


def test_postgres_refuses_to_update_or_delete_an_entry(postgres, history):
    entry = history[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE moderation_auditentry SET reason = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == "Advert"


def test_a_pms_status_change_and_official_response_are_in_the_log(mo_client, pat, bobs_idea):
    from actions.ideas import idea_status_set

    idea_status_set(idea=bobs_idea, actor=pat, status="planned", response="Next spring.")
    idea_status_set(idea=bobs_idea, actor=pat, status="planned", response="Spring 2027.")
    entries = AuditEntry.objects.filter(action="idea.status_set", target_id=bobs_idea.pk)
    assert [(e.actor, e.before, e.after, e.reason) for e in entries.order_by("pk")] == [
        (pat, {"status": "new"}, {"status": "planned", "official_response": True}, "Next spring."),
        (
            pat,
            {"status": "planned"},
            {"status": "planned", "official_response": True},
            "Spring 2027.",
        ),
    ]
    page = mo_client.get(reverse("moderation-audit")).content.decode()
    assert "idea.status_set" not in page.split("<ol", 1)[1] and "Next spring." in page
    title = bobs_idea.title
    assert (
        f'changed the status of “<a href="/ideas/{bobs_idea.pk}/">{title}</a>” from New to Planned'
        in page
    )


def test_the_log_says_merges_in_words_and_shows_responses_as_plain_text(mo_client, pat, bobs_idea):
    from actions.ideas import idea_status_set
    from actions.merging import idea_merge

    kept = IdeaFactory(title="Dark mode everywhere")
    idea_status_set(
        idea=bobs_idea,
        actor=pat,
        status="planned",
        response="**Yes**, see [notes](https://x.test).",
    )
    idea_merge(actor=pat, merged=bobs_idea, kept=kept)
    page = mo_client.get(reverse("moderation-audit")).content.decode()
    assert f'merged “<a href="/ideas/{bobs_idea.pk}/">{bobs_idea.title}</a>” into “<a' in page
    assert "Dark mode everywhere</a>”" in page
    assert "Yes, see notes." in page and "**Yes**" not in page
    assert '<option value="idea.merged">Merged an idea</option>' in page


def test_old_admin_address_of_the_audit_log_redirects(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin_user)
    response = client.get("/admin/moderation/auditentry/?q=ban")
    assert response.status_code == 301
    assert response["Location"] == "/admin/core/auditentry/?q=ban"
