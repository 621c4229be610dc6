"""Submitting an idea into a Storm Session through /ideas/new/?session=SLUG."""

import pytest
from django.urls import reverse

from ideas.models import Idea
from tests.factories import CategoryFactory, IdeaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.IDEAS_RATE_LIMITS = False


def idea_form(session, category, **overrides) -> dict:
    data = {
        "title": "A matte screen option",
        "description": "Glare makes it hard to read outdoors.",
        "category": category.slug,
        "session": session.slug if session else "",
    }
    return {**data, **overrides}


def test_the_submit_form_is_prefilled_with_the_session(alice_client, active_session):
    response = alice_client.get(reverse("idea-new"), {"session": active_session.slug})
    html = response.content.decode()
    assert f'type="hidden" name="session" value="{active_session.slug}"' in html
    assert "Submitting to the Storm Session" in html and active_session.title in html


def test_an_idea_submitted_into_an_active_session_belongs_to_it(
    alice_client, active_session, category
):
    response = alice_client.post(reverse("idea-new"), idea_form(active_session, category))
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert idea.session == active_session
    page = alice_client.get(idea.get_absolute_url()).content.decode()
    assert "Submitted in the Storm Session" in page
    assert f'href="{active_session.get_absolute_url()}"' in page
    listed = alice_client.get(active_session.get_absolute_url()).context["ideas"]
    assert [i.pk for i in listed] == [idea.pk]


def test_an_idea_without_a_session_has_none(alice_client, category):
    assert alice_client.post(reverse("idea-new"), idea_form(None, category)).status_code == 302
    assert Idea.objects.get().session is None


@pytest.mark.parametrize(("starts", "ends"), [(-5, -1), (1, 3)], ids=["closed", "future"])
def test_a_closed_or_future_session_is_refused_with_a_message(
    alice_client, make_session, category, starts, ends
):
    session = make_session(starts=starts, ends=ends)
    response = alice_client.post(reverse("idea-new"), idea_form(session, category))
    assert response.status_code == 400
    assert "This Storm Session is closed." in response.content.decode()
    assert "This Storm Session is closed." in response.context["form"].non_field_errors()[0]
    assert not Idea.objects.exists()


def test_an_unknown_session_is_refused_with_a_message(alice_client, category):
    response = alice_client.post(
        reverse("idea-new"), {**idea_form(None, category), "session": "no-such-session"}
    )
    assert response.status_code == 400
    assert "This Storm Session does not exist." in response.content.decode()
    assert not Idea.objects.exists()


def test_a_session_with_categories_takes_ideas_in_them_only(alice_client, make_session, category):
    desktops = CategoryFactory(name="Desktops", slug="desktops")
    session = make_session(categories=[desktops])
    response = alice_client.post(reverse("idea-new"), idea_form(session, category))
    assert response.status_code == 400
    assert response.context["form"].errors["category"] == [
        "This Storm Session takes ideas in Desktops only."
    ]
    assert not Idea.objects.exists()
    response = alice_client.post(reverse("idea-new"), idea_form(session, desktops))
    assert response.status_code == 302
    assert Idea.objects.get().session == session


def test_the_submit_form_names_and_offers_only_the_sessions_categories(
    alice_client, make_session, category
):
    session = make_session(categories=[CategoryFactory(name="Desktops", slug="desktops")])
    response = alice_client.get(reverse("idea-new"), {"session": session.slug})
    assert "Its categories: Desktops." in response.content.decode()
    offered = [slug for slug, _label in response.context["form"].fields["category"].choices]
    assert [str(slug) for slug in offered if slug] == ["desktops"]


@pytest.mark.parametrize(("starts", "ends"), [(-5, -1), (1, 3)], ids=["closed", "future"])
def test_a_closed_session_is_said_before_the_form_is_filled_in(
    alice_client, make_session, starts, ends
):
    session = make_session(starts=starts, ends=ends)
    html = alice_client.get(reverse("idea-new"), {"session": session.slug}).content.decode()
    assert 'role="alert"><p>This Storm Session is closed.' in html


def test_an_open_session_shows_no_alert(alice_client, active_session):
    html = alice_client.get(reverse("idea-new"), {"session": active_session.slug})
    assert 'role="alert"' not in html.content.decode()


def test_visitors_are_sent_to_log_in_and_come_back_to_the_session_form(client, active_session):
    url = f"{reverse('idea-new')}?session={active_session.slug}"
    response = client.get(url)
    assert response.status_code == 302
    assert "session%3D" in response["Location"] or "session=" in response["Location"]


def test_editing_an_idea_keeps_its_session(alice_client, alice, active_session, category):
    idea = IdeaFactory(author=alice, session=active_session, category=category)
    response = alice_client.post(
        reverse("idea-edit", kwargs={"pk": idea.pk}),
        {
            "title": "Edited title",
            "description": "Still here, and edited.",
            "category": category.slug,
        },
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Edited title" and idea.session == active_session


def test_a_session_that_closes_between_the_check_and_the_save_is_a_message_not_a_500(
    alice_client, active_session, category, monkeypatch
):
    from storms import services

    checks = []

    def closes_on_the_second_check(**kwargs):
        checks.append(1)
        if len(checks) > 1:
            raise services.ValidationError({"session": "This Storm Session is closed."})

    monkeypatch.setattr("web.ideas.forms.storm_submission_check", closes_on_the_second_check)
    monkeypatch.setattr("ideas.services.storm_submission_check", closes_on_the_second_check)
    response = alice_client.post(reverse("idea-new"), idea_form(active_session, category))
    assert response.status_code == 400
    assert "This Storm Session is closed." in response.content.decode()
    assert not Idea.objects.exists()
