"""Long text never widens a page: a title that is one 120-character word (the longest a title
can be), a 300-character word and a 400-character URL in the description, on the idea list and
the idea page, at a phone's 375 px and a desktop's 1280 px, for a visitor."""

import pytest
from playwright.sync_api import Page, expect

from core.markdown import render_markdown
from tests.factories import IdeaFactory

LONG_TITLE = "Supercalifragilistic" * 6  # 120 characters: the longest title there can be
LONG_WORD = "Antidisestablishmentarianism" * 11  # 308 characters
LONG_URL = "https://example.com/" + "a1b2c3d4e5" * 38  # 400 characters
DESCRIPTION = f"Look at {LONG_WORD} and at <{LONG_URL}> before you vote.\n\n`{LONG_WORD}`"


@pytest.fixture
def long_idea(category):
    return IdeaFactory(
        title=LONG_TITLE,
        description=DESCRIPTION,
        description_html=render_markdown(DESCRIPTION),
        category=category,
        popular_key=1.0,
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_long_words_and_urls_leave_no_horizontal_scroll(page: Page, live_server, long_idea, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/ideas/?sort=new", f"/ideas/{long_idea.pk}/"):
        page.goto(path)
        expect(page.get_by_role("heading", name=LONG_TITLE).first).to_be_visible()
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{path} is {scroll} px wide on a {width} px screen"
    expect(page.get_by_role("link", name=LONG_URL)).to_be_visible()
