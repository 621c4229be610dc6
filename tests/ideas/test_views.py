import pytest
from django.urls import reverse

from ideas.models import Idea, Status
from tests.factories import CategoryFactory, IdeaFactory
from votes.services import vote_cast

pytestmark = pytest.mark.django_db


def test_home_lists_top_ideas_with_vote_buttons_and_scores(client, alice):
    idea = IdeaFactory(title="Ship laptops with Linux")
    vote_cast(voter=alice, idea=idea, value=1)
    html = client.get(reverse("home")).content.decode()
    assert "Ship laptops with Linux" in html
    assert 'data-testid="idea-score"' in html
    assert ">Promote<" in html and ">Demote<" in html


def test_idea_list_shows_the_viewers_vote_as_aria_pressed(alice_client, alice):
    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=-1)
    html = alice_client.get(reverse("idea-list")).content.decode()
    promote = html[html.index(f'id="vote-{idea.pk}-promote"') :][:400]
    demote = html[html.index(f'id="vote-{idea.pk}-demote"') :][:400]
    assert 'aria-pressed="false"' in promote
    assert 'aria-pressed="true"' in demote
    assert 'value="0"' in demote


def test_idea_list_sorts_top_and_new(client, alice, bob):
    old = IdeaFactory(title="Old but loved")
    new = IdeaFactory(title="Brand new")
    vote_cast(voter=alice, idea=old, value=1)
    vote_cast(voter=bob, idea=old, value=1)
    top = list(client.get(reverse("idea-list"), {"sort": "top"}).context["ideas"])
    newest = list(client.get(reverse("idea-list"), {"sort": "new"}).context["ideas"])
    assert top[0] == old
    assert newest[0] == new


def test_idea_list_filters_by_category_status_and_search(client):
    notebooks = CategoryFactory(slug="notebooks", name="Notebooks")
    desktops = CategoryFactory(slug="desktops", name="Desktops")
    wanted = IdeaFactory(title="Backlit keyboard", category=notebooks, status=Status.PLANNED)
    IdeaFactory(title="Backlit case", category=desktops, status=Status.PLANNED)
    IdeaFactory(title="Backlit lid", category=notebooks, status=Status.NEW)
    response = client.get(
        reverse("idea-list"), {"category": "notebooks", "status": "planned", "q": "backlit"}
    )
    assert list(response.context["ideas"]) == [wanted]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "sideways"},
        {"status": "nonsense"},
        {"category": "no-such-category"},
        {"page": "abc"},
        {"page": "99999"},
        {"q": "x" * 500},
    ],
)
def test_idea_list_with_bad_parameters_still_renders(client, params):
    IdeaFactory()
    assert client.get(reverse("idea-list"), params).status_code == 200


def test_idea_list_makes_a_constant_number_of_queries(client, alice, django_assert_max_num_queries):
    for _ in range(25):
        vote_cast(voter=alice, idea=IdeaFactory(), value=1)
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("idea-list")).status_code == 200


def test_idea_list_htmx_request_gets_only_the_results_fragment(client):
    IdeaFactory(title="Fragment me")
    response = client.get(reverse("idea-list"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Fragment me" in html
    assert "<html" not in html and 'id="results"' in html


def test_idea_detail_works_with_and_without_slug(client):
    idea = IdeaFactory(title="Name the Wi-Fi chipset", description="So drivers can be found.")
    bare = client.get(f"/ideas/{idea.pk}/")
    assert bare.status_code == 200
    assert "So drivers can be found." in bare.content.decode()
    assert client.get(idea.get_absolute_url()).status_code == 200
    assert idea.get_absolute_url() == f"/ideas/{idea.pk}/name-the-wi-fi-chipset/"


def test_idea_detail_of_a_missing_idea_is_404(client):
    assert client.get("/ideas/999999/").status_code == 404


def test_submit_form_requires_login(client):
    response = client.get(reverse("idea-new"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_member_submits_an_idea_and_lands_on_its_page(alice_client, alice, category):
    response = alice_client.post(
        reverse("idea-new"),
        {
            "title": "Standard power cables",
            "description": "One plug for every notebook.",
            "category": "notebooks",
        },
    )
    idea = Idea.objects.get()
    assert response.status_code == 302 and response.url == idea.get_absolute_url()
    assert (idea.author, idea.category, idea.status, idea.score) == (alice, category, "new", 0)


# A title and a description long enough for the submit form (web/ideas/forms.py minimums).
TITLE = "Standard power cables"
DESCRIPTION = "One plug for every notebook."


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "", "description": DESCRIPTION, "category": "notebooks"}, "title"),
        ({"title": "x" * 121, "description": DESCRIPTION, "category": "notebooks"}, "title"),
        ({"title": "   ", "description": DESCRIPTION, "category": "notebooks"}, "title"),
        ({"title": "Dark mode", "description": DESCRIPTION, "category": "notebooks"}, "title"),
        ({"title": "Darkmodeplease", "description": DESCRIPTION, "category": "notebooks"}, "title"),
        ({"title": TITLE, "description": "", "category": "notebooks"}, "description"),
        ({"title": TITLE, "description": "Please do.", "category": "notebooks"}, "description"),
        ({"title": TITLE, "description": DESCRIPTION, "category": "no-such"}, "category"),
        ({"title": TITLE, "description": DESCRIPTION}, "category"),
    ],
)
def test_bad_submission_comes_back_with_a_message_at_the_field(alice_client, category, data, field):
    response = alice_client.post(reverse("idea-new"), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    if data.get("description"):
        assert data["description"] + "</textarea>" in html
    assert Idea.objects.count() == 0


def test_unknown_url_gets_the_styled_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We couldn" in response.content.decode()


def test_unknown_sort_falls_back_to_popular(client):
    IdeaFactory()
    assert client.get(reverse("idea-list"), {"sort": "sideways"}).context["sort"] == "popular"


@pytest.mark.parametrize("sort", ["popular", "top", "new", "trending"])
def test_every_sort_renders_and_pins_its_query_count(
    client, alice, sort, django_assert_max_num_queries
):
    for _ in range(25):
        vote_cast(voter=alice, idea=IdeaFactory(), value=1)
    client.force_login(alice)
    # Session, user, the page's ideas, the categories, the member's votes on the page (a query
    # of its own, so the rows can be shared: web/skeleton.py) and the bell.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("idea-list"), {"sort": sort, "page": "2"})
    assert response.status_code == 200
    assert len(response.context["ideas"]) == 5


def test_pages_follow_on_without_overlap(client):
    ideas = IdeaFactory.create_batch(45)
    seen = []
    for number in (1, 2, 3):
        page = client.get(reverse("idea-list"), {"sort": "new", "page": number}).context["page"]
        seen += [i.pk for i in page.items]
    assert seen == [i.pk for i in reversed(ideas)]


def test_idea_page_explains_its_rank(client, alice, bob):
    leader, runner_up = IdeaFactory(title="Leader"), IdeaFactory(title="Runner-up")
    vote_cast(voter=alice, idea=leader, value=1)
    vote_cast(voter=bob, idea=leader, value=1)
    vote_cast(voter=alice, idea=runner_up, value=1)
    html = client.get(runner_up.get_absolute_url()).content.decode()
    assert "Why this rank" in html
    assert "<strong>#2</strong> of 2 ideas in Popular" in html
    assert "<strong>1.0</strong> fresh votes today" in html
    assert "<strong>1</strong> vote in the last 7 days" in html


def test_htmx_history_restore_gets_the_whole_page(client):
    IdeaFactory()
    response = client.get(
        reverse("idea-list"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_an_id_too_big_for_the_database_is_404_on_pages(alice_client):
    assert alice_client.get("/ideas/9223372036854775808/").status_code == 404
    assert alice_client.post("/ideas/9223372036854775808/vote/", {"value": "1"}).status_code == 404


def test_the_lists_htmx_fragment_brings_its_title_and_heading(client):
    support = CategoryFactory(slug="support", name="Support")
    IdeaFactory(category=support)
    fragment = client.get(
        reverse("idea-list"), {"category": "support"}, headers={"HX-Request": "true"}
    )
    html = fragment.content.decode()
    assert "<html" not in html
    assert "<title>Support ideas · IdeaStorm</title>" in html
    assert '<h1 id="list-heading" data-hx-swap-oob="true">Support ideas</h1>' in html
    page = client.get(reverse("idea-list"), {"category": "support"}).content.decode()
    assert '<h1 id="list-heading">Support ideas</h1>' in page  # in place, not out of band
