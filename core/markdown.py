"""Markdown rendered server-side and sanitised: raw HTML off, then an nh3 allow-list."""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Headings in user text are demoted so they never compete with the page's own h1/h2: the
# highest level the text uses becomes h3, and each level below it the next one, without gaps
# (a text with only "##" and "####" gets h3 and h4), so the page's outline never skips a level.
_FIRST_USER_HEADING = 3


def render_markdown(text: str) -> str:
    """Return safe HTML for user-written Markdown."""
    tokens = _md.parse(text or "")
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    levels = sorted({int(t.tag[1]) for t in headings})
    for token in headings:
        level = _FIRST_USER_HEADING + levels.index(int(token.tag[1]))
        token.tag = f"h{min(level, 6)}"
    html = _md.renderer.render(tokens, _md.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )
