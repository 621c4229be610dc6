import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from actions.merging import idea_merge, idea_merge_undo, suggested_merges
from comments.models import Comment
from core.models import AuditEntry
from ideas.models import Idea, Status
from notifications.models import Follow
from tests.factories import IdeaFactory, UserFactory
from votes.models import Vote
from votes.services import vote_cast


def figures(idea) -> tuple:
    idea = Idea.objects.get(pk=idea.pk)
    return idea.score, idea.promotes, idea.demotes, idea.popular_key


def votes_of(idea) -> set:
    return set(Vote.objects.filter(idea=idea).values_list("voter_id", "value", "created_at"))


def same_figures(a: tuple, b: tuple) -> bool:
    # Counts exactly; the key recounted from the votes may differ in its last bits only.
    return a[:3] == b[:3] and math.isclose(a[3], b[3], rel_tol=1e-9, abs_tol=1e-12)


@pytest.fixture
def duplicates(db):
    u1, u2, u3, u4 = (UserFactory(username=f"voter{n}") for n in range(1, 5))
    merged = IdeaFactory(title="Backlit keyboard please")
    kept = IdeaFactory(title="Backlit keyboards on all notebooks")
    vote_cast(voter=u1, idea=merged, value=1)
    vote_cast(voter=u2, idea=merged, value=1)
    vote_cast(voter=u3, idea=merged, value=-1)
    vote_cast(voter=u2, idea=kept, value=-1)
    vote_cast(voter=u4, idea=kept, value=1)
    return merged, kept, (u1, u2, u3, u4)


def test_merge_keeps_exactly_the_union_of_voters_and_undo_restores_both(duplicates, pat):
    merged, kept, (u1, u2, u3, u4) = duplicates
    before = (figures(merged), figures(kept), votes_of(merged), votes_of(kept))
    Comment.objects.create(idea=merged, author=u1, body="Me too", created_at=merged.created_at)
    Follow.objects.create(user=u3, idea=merged, following=True)

    merge = idea_merge(actor=pat, merged=merged, kept=kept, reason="Same request")

    voters = dict(Vote.objects.filter(idea=kept).values_list("voter_id", "value"))
    assert voters == {u1.pk: 1, u2.pk: -1, u3.pk: -1, u4.pk: 1}  # u2's vote on the kept stands
    assert figures(kept)[:3] == (0, 2, 2)
    assert figures(merged)[:3] == (0, 0, 0)
    merged.refresh_from_db()
    assert merged.merged_into == kept and merged.status == Status.DUPLICATE
    assert Comment.objects.get(body="Me too").idea == kept
    assert Follow.objects.get(user=u3).idea == kept
    entry = AuditEntry.objects.get(action="idea.merged", target_id=merged.pk)
    assert (entry.before["status"], entry.after["status"]) == ("new", "duplicate")

    idea_merge_undo(actor=pat, merge=merge)

    after = (figures(merged), figures(kept), votes_of(merged), votes_of(kept))
    assert same_figures(after[0], before[0]) and same_figures(after[1], before[1])
    assert after[2:] == before[2:]
    merged.refresh_from_db()
    assert merged.merged_into is None and merged.status == Status.NEW
    assert Comment.objects.get(body="Me too").idea == merged
    undone = AuditEntry.objects.get(action="idea.merge_undone", target_id=merged.pk)
    assert (undone.before["status"], undone.after["status"]) == ("duplicate", "new")
    assert Follow.objects.get(user=u3).idea == merged


def test_votes_cast_on_the_kept_idea_after_the_merge_stay_there_on_undo(duplicates, pat):
    merged, kept, _ = duplicates
    merge = idea_merge(actor=pat, merged=merged, kept=kept)
    newcomer = UserFactory(username="newcomer")
    vote_cast(voter=newcomer, idea=kept, value=1)
    idea_merge_undo(actor=pat, merge=merge)
    assert Vote.objects.get(voter=newcomer).idea == kept
    assert figures(kept)[:3] == (1, 2, 1)  # its own two votes and the newcomer's


@pytest.mark.parametrize("case", ["itself", "merged-source", "merged-target"])
def test_bad_merges_are_refused_and_change_nothing(duplicates, pat, case):
    merged, kept, _ = duplicates
    third = IdeaFactory(title="Third")
    if case == "itself":
        source, target = merged, merged
    elif case == "merged-source":
        idea_merge(actor=pat, merged=merged, kept=third)
        source, target = merged, kept
    else:
        idea_merge(actor=pat, merged=kept, kept=third)
        source, target = merged, kept
    before = (figures(source), figures(target))
    with pytest.raises(ValidationError):
        idea_merge(actor=pat, merged=source, kept=target)
    assert (figures(source), figures(target)) == before


def test_only_product_managers_merge(duplicates, alice):
    merged, kept, _ = duplicates
    with pytest.raises(PermissionDenied):
        idea_merge(actor=alice, merged=merged, kept=kept)


def test_undo_twice_or_after_the_kept_idea_moved_on_is_refused(duplicates, pat):
    merged, kept, _ = duplicates
    merge = idea_merge(actor=pat, merged=merged, kept=kept)
    third = IdeaFactory(title="Third")
    later = idea_merge(actor=pat, merged=kept, kept=third)
    with pytest.raises(ValidationError, match="undo that first"):
        idea_merge_undo(actor=pat, merge=merge)
    idea_merge_undo(actor=pat, merge=later)
    idea_merge_undo(actor=pat, merge=merge)
    with pytest.raises(ValidationError, match="already undone"):
        idea_merge_undo(actor=pat, merge=merge)


def test_the_merged_idea_redirects_leaves_lists_and_takes_no_votes(client, duplicates, pat, bob):
    merged, kept, _ = duplicates
    idea_merge(actor=pat, merged=merged, kept=kept)
    response = client.get(merged.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == f"/ideas/{kept.pk}/"
    assert merged not in client.get(reverse("idea-list")).context["ideas"]
    client.force_login(bob)
    response = client.put(
        reverse("api-idea-vote", args=[merged.pk]), {"value": 1}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not Vote.objects.filter(idea=merged).exists()


def test_pm_merges_and_undoes_from_the_idea_page(client, duplicates, pat):
    merged, kept, _ = duplicates
    client.force_login(pat)
    page = client.get(merged.get_absolute_url()).content.decode()
    assert "Merge this idea into idea number or title" in page
    url = reverse("idea-merge", args=[merged.pk])
    response = client.post(url, {"into": kept.pk, "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == kept.get_absolute_url()
    page = client.get(kept.get_absolute_url()).content.decode()
    assert "Undo merge" in page
    merge = kept.merges_in.get()
    response = client.post(reverse("merge-undo", args=[merge.pk]))
    assert response.status_code == 302
    assert Idea.objects.get(pk=merged.pk).merged_into is None


def test_the_merge_search_lists_matching_ideas_as_choices(client, duplicates, pat):
    merged, kept, _ = duplicates
    other = IdeaFactory(title="Quieter fans")
    client.force_login(pat)
    url = reverse("idea-merge", args=[merged.pk])
    page = client.get(url, {"q": "backlit notebooks", "search": "1"}).content.decode()
    assert f'name="into" value="{kept.pk}"' in page
    assert f'name="into" value="{merged.pk}"' not in page  # never into itself
    assert "Merge into that idea" in page
    by_number = client.get(url, {"q": f"#{other.pk}"}).content.decode()
    assert f'name="into" value="{other.pk}"' in by_number
    nothing = client.get(url, {"q": "zeppelin"}).content.decode()
    assert "No open idea matches" in nothing and 'name="into"' not in nothing


def test_the_merge_search_answers_htmx_with_the_results_alone(client, duplicates, pat):
    merged, kept, _ = duplicates
    client.force_login(pat)
    response = client.get(
        reverse("idea-merge", args=[merged.pk]), {"q": "keyboards"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert f'value="{kept.pk}"' in page and 'data-hx-swap-oob="true"' in page


def test_choosing_an_idea_shows_both_side_by_side_and_changes_nothing(client, duplicates, pat):
    merged, kept, _ = duplicates
    client.force_login(pat)
    url = reverse("idea-merge", args=[merged.pk])
    for response in (client.get(url, {"into": kept.pk}), client.post(url, {"into": kept.pk})):
        page = response.content.decode()
        assert response.status_code == 200
        assert "Confirm merge" in page and merged.title in page and kept.title in page
        assert "3 votes move to" in page and "1 member voted on both" in page
    assert Idea.objects.get(pk=merged.pk).merged_into is None
    assert not kept.merges_in.exists()


def test_suggested_merges_lead_to_the_confirmation(db, client, pat):
    a = IdeaFactory(title="Longer battery life on notebooks", description="Batteries die by noon.")
    b = IdeaFactory(title="Longer battery life for notebooks", description="Dies by noon.")
    vote_cast(voter=pat, idea=b, value=1)
    client.force_login(pat)
    page = client.get(reverse("merge-suggestions")).content.decode()
    assert f"Review merge of #{a.pk} into #{b.pk}" in page
    assert "<form" not in page.split("<main", 1)[1].split("</main>")[0]
    response = client.get(reverse("idea-merge", args=[a.pk]), {"into": b.pk, "reason": "Alike"})
    assert "Confirm merge" in response.content.decode()
    assert Idea.objects.get(pk=a.pk).merged_into is None


@pytest.mark.parametrize(("into", "message"), [("", "Give the number"), ("999999", "no open idea")])
def test_merge_form_errors_are_shown_and_nothing_changes(client, duplicates, pat, into, message):
    merged, _, _ = duplicates
    client.force_login(pat)
    response = client.post(
        reverse("idea-merge", args=[merged.pk]), {"into": into, "confirm": "yes"}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert Idea.objects.get(pk=merged.pk).merged_into is None


def test_merge_pages_are_for_product_managers(client, duplicates, alice):
    merged, kept, _ = duplicates
    url = reverse("idea-merge", args=[merged.pk])
    assert client.post(url).status_code == 302  # visitor: log in first
    assert client.get(url).status_code == 302
    assert client.get(reverse("merge-suggestions")).status_code == 302
    client.force_login(alice)
    assert client.post(url, {"into": kept.pk, "confirm": "yes"}).status_code == 403
    assert client.get(url, {"q": "keyboard"}).status_code == 403
    assert client.get(reverse("merge-suggestions")).status_code == 403
    assert client.put(url).status_code == 405


def test_suggested_merges_pair_look_alike_ideas(db, client, pat):
    a = IdeaFactory(title="Longer battery life on notebooks", description="Batteries die by noon.")
    b = IdeaFactory(
        title="Longer battery life for notebooks", description="My battery dies by noon."
    )
    IdeaFactory(title="Quieter fans", description="Too loud.")
    vote_cast(voter=pat, idea=b, value=1)
    pairs = suggested_merges()
    assert [(p["merge"]["pk"], p["keep"]["pk"]) for p in pairs] == [(a.pk, b.pk)]
    client.force_login(pat)
    assert (
        "Longer battery life for notebooks"
        in client.get(reverse("merge-suggestions")).content.decode()
    )


@pytest.mark.parametrize("q", ["²", "#①", "٣", "99999999999999999999"])
def test_the_merge_search_reads_odd_numbers_as_words(client, duplicates, pat, q):
    merged, _, _ = duplicates
    client.force_login(pat)
    response = client.get(reverse("idea-merge", args=[merged.pk]), {"q": q})
    assert response.status_code == 200
