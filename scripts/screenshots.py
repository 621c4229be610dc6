"""Full-page Chromium screenshots of a running board (with the demo data: `make run`): home,
the idea list, an idea page, log-in and sign-up as a visitor; the submit form, /pm/ and the
moderation queue as a staff user; at 1280 and 375 px wide, in the light and the dark theme.

    .venv/bin/python scripts/screenshots.py [BASE_URL] [--user admin --password ideastorm-demo]
    .venv/bin/python scripts/screenshots.py [BASE_URL] --readme   # the README's 4, see below

BASE_URL defaults to http://127.0.0.1:8000; the staff user to the demo's admin (a superuser:
/pm/ and /moderation/). PNGs go to var/screenshots/NAME-WIDTH-THEME.png; their paths are
printed. --readme writes the README's small set into docs/screenshots/ instead: the first
screen of each page, reduced to 256 colours.
"""

import argparse
import re
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDTHS = (1280, 375)
SCHEMES = ("light", "dark")
README_DIR = ROOT / "docs" / "screenshots"
# (page, width, scheme) of the README's screenshots.
README_SET = [("home", 1280, "light"), ("idea", 1280, "dark"), ("ideas", 375, "light")]
README_SET.append(("pm", 1280, "light"))
PUBLIC = {
    "home": "/",
    "ideas": "/ideas/",
    "idea": None,  # the first idea the home page links to
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
}
STAFF = {"submit": "/ideas/new/", "pm": "/pm/", "moderation": "/moderation/"}


def log_in(page, user: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    if "/accounts/login/" in page.url:
        sys.exit(f"screenshots: could not log in as {user}")


def first_idea(page) -> str:
    page.goto("/")
    href = page.eval_on_selector_all("a[href^='/ideas/']", "links => links.map(a => a.href)")
    ideas = [h for h in href if re.search(r"/ideas/\d+/[^/]+/$", h)]
    if not ideas:
        sys.exit("screenshots: the home page links no idea: is the demo loaded?")
    return ideas[0]


def shoot(page, path: str, file: Path, *, full_page: bool) -> None:
    response = page.goto(path)
    if response is not None and response.status >= 400:
        print(f"warning: {path} answered {response.status}", file=sys.stderr)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=file, full_page=full_page)


def shrink(file: Path) -> None:
    """256 colours and PNG's best compression: a fraction of the size, alike to the eye."""
    with Image.open(file) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(file, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="admin", help="staff user (default admin)")
    parser.add_argument("--password", default="ideastorm-demo")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    parser.add_argument("--readme", action="store_true", help=f"the README's 4 into {README_DIR}")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium executable")
    options = parser.parse_args()
    base = options.base_url.rstrip("/")
    wanted = README_SET if options.readme else None
    out = README_DIR if options.readme else options.out
    out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=options.chromium, args=LAUNCH_ARGS)
        for scheme in SCHEMES:
            for width in WIDTHS:
                for staff, pages in ((False, PUBLIC), (True, STAFF)):
                    todo = {
                        name: path
                        for name, path in pages.items()
                        if wanted is None or (name, width, scheme) in wanted
                    }
                    if not todo:
                        continue
                    phone = width < 600
                    context = browser.new_context(
                        base_url=base,
                        viewport={"width": width, "height": 800 if phone else 900},
                        is_mobile=phone,
                        has_touch=phone,
                        color_scheme=scheme,
                    )
                    context.set_default_timeout(15_000)
                    page = context.new_page()
                    if staff:
                        log_in(page, options.user, options.password)
                    for name, path in todo.items():
                        file = out / f"{name}-{width}-{scheme}.png"
                        shoot(page, path or first_idea(page), file, full_page=not options.readme)
                        if options.readme:
                            shrink(file)
                        print(f"{file} ({file.stat().st_size // 1024} KiB)")
                    context.close()
        browser.close()


if __name__ == "__main__":
    main()
