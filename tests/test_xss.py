"""A corpus of XSS payloads goes in through every place users write Markdown (ideas, comments,
official responses, titles) and none comes out as markup or a dangerous link, on the pages."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from actions.comments import comment_post
from actions.ideas import idea_status_set, idea_submit
from actions.moderation import content_restore
from core.markdown import render_markdown
from ideas.models import Status

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![img](javascript:alert(1))",
    '![img](x "onerror=alert(1)")',
    "<javascript:alert(1)>",
    '<http://x.example/" onmouseover="alert(1)>',
    '[a](http://x.example/"onmouseover="alert(1))',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="#" onclick="alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<base href="javascript:alert(1)//">',
    "<template><script>alert(1)</script></template>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<img src="x" onerror="&#97;lert(1)">',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "[x](javascript://%0aalert(1))",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
]
# Elements no page of ours contains: from user text they could only be a payload. (<details>
# and <input> are the site's own; their handlers are caught with every other on* attribute.)
FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "style", "link", "meta", "base", "svg", "math",
    "img", "video", "source", "marquee", "isindex", "template", "xss",
    "noscript",
}  # fmt: skip


class Audit(HTMLParser):
    """Collects what a payload would need to run: tags, handlers, dangerous URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # The site's own icons ({% icon %}, web/templatetags/icons.py) are the one <svg> allowed:
        # user text can't carry a class through nh3, and its handlers are caught below anyway.
        own_icon = tag == "svg" and attributes.get("class") == "icon"
        if tag in FORBIDDEN_TAGS and not own_icon:
            self.problems.append(f"<{tag}>")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction", "data", "style") and value:
                squashed = "".join(value.split()).lower()
                if squashed.startswith(("javascript:", "vbscript:", "data:")) or (
                    name == "style" and "javascript" in squashed
                ):
                    self.problems.append(f"{tag}[{name}={value}]")
        if tag == "a":
            self.links.append(attributes)


def audit(html: str) -> Audit:
    parser = Audit()
    parser.feed(html)
    return parser


def test_the_corpus_is_big_enough():
    assert len(PAYLOADS) >= 40


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_renderer_leaves_nothing_dangerous(payload):
    result = audit(render_markdown(f"Before {payload} after"))
    assert result.problems == []
    for link in result.links:
        assert link.get("rel") == "nofollow ugc noopener"


def test_user_links_get_rel_nofollow_ugc_noopener():
    html = render_markdown("[docs](https://example.com/) and <https://example.org/>")
    links = audit(html).links
    assert len(links) == 2
    assert all(link["rel"] == "nofollow ugc noopener" for link in links)


def _site_markup(html: str) -> str:
    """The page minus the site's own head and scripts (the htmx tag is ours)."""
    start = html.index('<main id="main"')
    end = html.index("</main>")
    return html[start:end]


def test_no_payload_survives_on_the_pages(client, alice, bob, pat, mo, category):
    idea = idea_submit(
        author=alice,
        title="Payloads: " + PAYLOADS[0][:100],
        description="\n\n".join(PAYLOADS),
        category=category,
    )
    # So many links wait for review; a moderator lets it through to the board.
    assert idea.held_at is not None
    idea = content_restore(moderator=mo, target=idea)
    for payload in PAYLOADS:
        comment = comment_post(author=bob, idea=idea, body=payload)
        comment_post(author=alice, idea=idea, body=f"Reply {payload}", parent=comment)
    idea_status_set(
        idea=idea, actor=pat, status=Status.PLANNED, response="\n\n".join(reversed(PAYLOADS))
    )
    for title in PAYLOADS[:10]:
        idea_submit(author=bob, title=title[:120], description=title, category=category)

    client.force_login(pat)
    pages = [
        idea.get_absolute_url(),
        reverse("idea-list"),
        reverse("idea-list") + "?q=alert",
        reverse("idea-list") + "?q=script",
        reverse("idea-similar") + "?title=" + "script alert onerror",
        reverse("profile", args=["bob"]),
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        body = _site_markup(html) if '<main id="main"' in html else html
        result = audit(body)
        assert result.problems == [], path
        user_links = [a for a in result.links if "nofollow" in (a.get("rel") or "")]
        assert all(a["rel"] == "nofollow ugc noopener" for a in user_links)
