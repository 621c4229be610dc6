"""Full-page Chromium screenshots of a running IdeaStorm, at desktop and phone widths, for a
visual review.

    .venv/bin/python scripts/screenshots.py [BASE_URL] [--login]

BASE_URL defaults to http://127.0.0.1:8000. With --login, /ideas/new/ is shot as the demo
member alice (password ideastorm-demo); without it that page shows where a visitor is sent.
PNGs go to var/screenshots/NAME-WIDTH.png; their paths are printed.
"""

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1280, 375)
HEIGHT = 900
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_USER, DEMO_PASSWORD = "alice", "ideastorm-demo"
# Visitor pages; the idea page is found from the list, /ideas/new/ is shot last (it may log in).
PAGES = [
    ("home", "/"),
    ("ideas", "/ideas/"),
    ("signup", "/accounts/signup/"),
    ("login", "/accounts/login/"),
]
IDEA_PATH = re.compile(r"^/ideas/\d+/")


def first_idea_path(page: Page, base_url: str) -> str | None:
    page.goto(urljoin(base_url, "/ideas/"))
    for href in page.locator("main a[href]").evaluate_all("links => links.map(a => a.pathname)"):
        if IDEA_PATH.match(href):
            return href
    return None


def log_in(page: Page, base_url: str) -> None:
    page.goto(urljoin(base_url, "/accounts/login/"))
    page.get_by_label("Username").fill(DEMO_USER)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def shoot(page: Page, base_url: str, path: str, out: Path) -> Path:
    response = page.goto(urljoin(base_url, path))
    if response is not None and response.status >= 400:
        print(f"warning: {path} answered {response.status}", file=sys.stderr)
    page.screenshot(path=out, full_page=True)
    return out


def shoot_width(browser: Browser, base_url: str, width: int, login: bool, out_dir: Path):
    context = browser.new_context(
        viewport={"width": width, "height": HEIGHT}, is_mobile=width < 600, has_touch=width < 600
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        pages = list(PAGES)
        idea = first_idea_path(page, base_url)
        if idea is None:
            print("warning: no idea link on /ideas/; load demo data (seed_demo)", file=sys.stderr)
        else:
            pages.insert(2, ("idea", idea))
        for name, path in pages:
            yield shoot(page, base_url, path, out_dir / f"{name}-{width}.png")
        if login:
            log_in(page, base_url)
        yield shoot(page, base_url, "/ideas/new/", out_dir / f"idea-new-{width}.png")
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--login", action="store_true", help=f"shoot /ideas/new/ as {DEMO_USER}")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium executable")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
        try:
            for width in WIDTHS:
                for path in shoot_width(browser, args.base_url, width, args.login, args.out):
                    print(path)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
