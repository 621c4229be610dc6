import pytest

from actions.ideas import idea_submit
from core.markdown import render_markdown

pytestmark = pytest.mark.django_db


def test_idea_create_strips_and_renders_markdown(alice, category):
    idea = idea_submit(
        author=alice,
        title="  Backlit keyboards  ",
        description="Make it **glow**",
        category=category,
    )
    assert idea.title == "Backlit keyboards"
    assert "<strong>glow</strong>" in idea.description_html
    assert (idea.score, idea.promotes, idea.demotes) == (0, 0, 0)
    assert idea.created_at is not None


@pytest.mark.parametrize(
    "text, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", 'href="javascript'),
        ("<javascript:alert(1)>", 'href="javascript'),
        ("[img](data:text/html;base64,PHNjcmlwdD4=)", 'href="data'),
        ('<a href="https://x.test" onclick="alert(1)">x</a>', "<a "),
    ],
)
def test_markdown_drops_scripts_handlers_and_dangerous_links(text, forbidden):
    assert forbidden not in render_markdown(text)


def test_markdown_links_get_nofollow_ugc_noopener():
    html = render_markdown("[site](https://example.com)")
    assert 'href="https://example.com"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_markdown_headings_are_demoted_below_the_page_headings():
    assert "<h3>Why</h3>" in render_markdown("# Why")
