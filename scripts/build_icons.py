"""Build static/icons/sprite.svg, the icons `{% icon "name" %}` draws, from the npm package
lucide-static (version pinned in scripts/icons/package.json and package-lock.json).

    python scripts/build_icons.py        (or: make icons)

The package is installed with `npm ci` into var/node-icons (not committed); the sprite is
committed, so neither Node.js nor the network is needed to run or test the site. To add an
icon, add its Lucide name to ICONS and run this again.
"""

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "scripts" / "icons"
NODE_DIR = ROOT / "var" / "node-icons"
ICON_DIR = NODE_DIR / "node_modules" / "lucide-static" / "icons"
SPRITE = ROOT / "static" / "icons" / "sprite.svg"
SVG = "http://www.w3.org/2000/svg"

# The names templates may use (tests/test_icons.py checks every {% icon %} is one of them).
ICONS = (
    "alert-triangle",
    "arrow-left",
    "arrow-right",
    "bar-chart-3",
    "bell",
    "calendar",
    "check",
    "chevron-down",
    "chevron-up",
    "clock",
    "copy",
    "external-link",
    "eye-off",
    "file-text",
    "filter",
    "flag",
    "git-merge",
    "home",
    "inbox",
    "info",
    "lightbulb",
    "link",
    "list",
    "log-in",
    "log-out",
    "map",
    "megaphone",
    "menu",
    "message-circle",
    "monitor",
    "moon",
    "more-horizontal",
    "pencil",
    "rocket",
    "rss",
    "search",
    "settings",
    "shield",
    "star",
    "sun",
    "tag",
    "thumbs-up",
    "trash-2",
    "trending-up",
    "undo-2",
    "user",
    "users",
    "x",
    "zap",
)


def install_package() -> None:
    """npm ci the pinned package into var/node-icons, unless that copy is already current."""
    stamp = NODE_DIR / "node_modules" / ".installed"
    lock = PACKAGE / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    if shutil.which("npm") is None:
        sys.exit("npm not found: building the icon sprite needs Node.js and npm")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(PACKAGE / name, NODE_DIR / name)
    subprocess.run(
        ["npm", "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
        check=True,
    )
    stamp.touch()


def symbol(name: str) -> str:
    """One <symbol id="name">: the icon's shapes, drawn with the text colour."""
    root = ET.parse(ICON_DIR / f"{name}.svg").getroot()
    shapes = "".join(
        ET.tostring(child, encoding="unicode").replace(f' xmlns="{SVG}"', "").strip()
        for child in root
    )
    # Lucide's drawing style, carried by the symbol so an icon looks right even without site.css.
    return (
        f'<symbol id="{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{shapes}</symbol>'
    )


def main() -> None:
    install_package()
    ET.register_namespace("", SVG)
    version = json.loads((PACKAGE / "package.json").read_text())["dependencies"]["lucide-static"]
    symbols = "\n".join(symbol(name) for name in ICONS)
    SPRITE.parent.mkdir(parents=True, exist_ok=True)
    SPRITE.write_text(
        f"<!-- Built by scripts/build_icons.py from lucide-static {version} (ISC licence,"
        f" https://lucide.dev). Do not edit. -->\n"
        f'<svg xmlns="{SVG}">\n{symbols}\n</svg>\n'
    )
    print(f"{SPRITE.relative_to(ROOT)}: {len(ICONS)} icons from lucide-static {version}")


if __name__ == "__main__":
    main()
