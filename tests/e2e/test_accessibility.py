"""axe-core on the main pages, as a visitor, a member and staff, at 1280 and 375 px wide, in
the light and the dark theme: no violation of any impact. The board is the demo's, plus an
idea with a long Markdown description, comments and an official response, a published
changelog entry, a flag waiting for a moderator and unread notifications.

The list of violations per page also goes to var/axe/<variant>.json."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser

from accounts.services import role_set
from actions.changelog import entry_publish
from actions.comments import comment_post
from actions.ideas import idea_status_set, idea_submit
from changelog.services import entry_save
from ideas.models import Category
from moderation.services import flag_create
from tests.conftest import PASSWORD
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_journeys import log_in
from tests.factories import NotificationFactory, UserFactory

AXE = settings.BASE_DIR / "var/web-quality/node_modules/axe-core/axe.min.js"
LONG_DESCRIPTION = """Our support team answers the same **three questions** every week, and a
searchable knowledge base inside the board would let customers find the answers themselves.

## What it should do

1. Search articles by title and body, with the words found *highlighted*.
2. Link an article from an idea, so people see the answer before they post.
3. Show when an article was last checked, like `updated 3 days ago`.

> A customer who finds the answer in ten seconds never opens a ticket.

- Works on a phone: the support page is mostly read on the go.
- Keeps links stable, such as https://example.com/kb/articles/getting-started-with-notebooks.

```
GET /kb/search?q=battery
```

| Question | Tickets a month |
| --- | --- |
| Battery drains overnight | 120 |
| Docking station flickers | 85 |
"""

VISITOR_PAGES = {
    "home": "/",
    "ideas-popular": "/ideas/?sort=popular",
    "ideas-new": "/ideas/?sort=new",
    "idea": "{idea}",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "roadmap": "/roadmap/",
    "changelog": "/changelog/",
    "sessions": "/sessions/",
    "not-found": "/no-such-page/",
}
MEMBER_PAGES = {
    "idea (member)": "{idea}",
    "submit": "/ideas/new/",
    "settings": "/accounts/settings/",
    "notifications": "/notifications/",
}
STAFF_PAGES = {
    "pm": "/pm/",
    "moderation": "/moderation/",
}
VARIANTS = {
    "1280-light": (1280, "light"),
    "1280-dark": (1280, "dark"),
    "375-light": (375, "light"),
    "375-dark": (375, "dark"),
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    from tests.conftest import need

    need(AXE.exists(), f"{AXE.relative_to(settings.BASE_DIR)} is missing (`make install`)")
    return AXE.read_text()


def board() -> dict:
    """The demo board and the rows that make the pages show all they can; the idea's URL."""
    call_command("seed_demo", users=12, votes=150, verbosity=0, stdout=io.StringIO())
    member = UserFactory(username="ava")
    staff = UserFactory(username="sam")
    role_set(user=staff, role="pm")
    role_set(user=staff, role="moderator")
    idea = idea_submit(
        author=member,
        title="A knowledge base inside the board, searchable from the submit form",
        description=LONG_DESCRIPTION,
        category=Category.objects.first(),
        tags=["support", "search"],
    )
    first = comment_post(author=staff, idea=idea, body="Which questions come up most?")
    comment_post(author=member, idea=idea, body="Battery life, by far.", parent=first)
    comment_post(author=member, idea=idea, body="A *second* thought: link it from emails too.")
    idea_status_set(
        idea=idea, actor=staff, status="planned", response="We are building this for **March**."
    )
    entry = entry_save(
        actor=staff,
        title="Quieter fans on the XPS 15",
        body="The fan curve is calmer under light load.\n\n- firmware 1.2\n- **fewer** spikes",
        ideas=[],
        publish_at=None,
    )
    entry_publish(entry=entry, actor=staff)
    flag_create(flagger=member, target=first, reason="spam", note="Looks like an ad to me.")
    for _ in range(3):
        NotificationFactory(recipient=member, idea=idea)
    return {"idea": idea.get_absolute_url(), "member": "ava", "staff": "sam"}


def _axe(page, source: str) -> list[dict]:
    # evaluate() is not subject to the site's CSP, which refuses an injected <script>.
    page.evaluate(source)
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(" "), html: n.html, summary: n.failureSummary,
                })),
            }));
        }"""
    )


def _check(browser: Browser, live_server, source, width, scheme, pages, username=None) -> dict:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, color_scheme=scheme
    )
    # Some forty pages in one test: a loaded machine may take more than a few seconds for one.
    context.set_default_timeout(6 * TIMEOUT_MS)
    page = context.new_page()
    if username:
        # At full width, where "Log out" shows in the header (a phone's is in its menu).
        page.goto("/accounts/login/")
        log_in(page, username, PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for name, path in pages.items():
        page.goto(path)
        page.wait_for_load_state("load")
        found[name] = {"path": path, "violations": _axe(page, source)}
    context.close()
    return found


def _readable(found: dict) -> str:
    lines = []
    for name, result in found.items():
        for violation in result["violations"]:
            lines.append(f"{name} ({result['path']}): {violation['id']} [{violation['impact']}]")
            lines.append(f"    {violation['help']}")
            for node in violation["nodes"][:5]:
                summary = " ".join(node["summary"].split())[:300]
                lines.append(f"    - {node['target']}: {summary}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    - and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("variant", VARIANTS)
def test_main_pages_have_no_axe_violations(
    variant, browser, live_server, axe_source, transactional_db
):
    width, scheme = VARIANTS[variant]
    rows = board()
    pages = {n: p.format(idea=rows["idea"]) for n, p in VISITOR_PAGES.items()}
    found = _check(browser, live_server, axe_source, width, scheme, pages)
    member_pages = {n: p.format(idea=rows["idea"]) for n, p in MEMBER_PAGES.items()}
    found |= _check(browser, live_server, axe_source, width, scheme, member_pages, rows["member"])
    found |= _check(browser, live_server, axe_source, width, scheme, STAFF_PAGES, rows["staff"])

    report = Path(settings.VAR_DIR) / "axe" / f"{variant}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(found, indent=1))
    count = sum(len(r["violations"]) for r in found.values())
    assert count == 0, f"{count} axe violations at {variant}:\n{_readable(found)}"


def test_axe_runs_under_the_sites_csp(browser, live_server, axe_source, transactional_db):
    """The check itself works: axe loads although the CSP refuses inline scripts, and finds
    a planted violation (an image with no text alternative)."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.evaluate("document.body.append(Object.assign(new Image(), {src: '/static/x.png'}))")
    assert "image-alt" in [v["id"] for v in _axe(page, axe_source)]
    context.close()
