"""The Nu HTML Checker (vnu-jar, `make install` puts it in var/web-quality) on pages: the folder
of pages a test run kept (tests/web_quality/capture.py), saved .html files, or URLs of a
running server. Prints each error with the URL it came from; exits 1 if there is one.

    python tests/web_quality/check_html.py var/html-check
    python tests/web_quality/check_html.py http://127.0.0.1:8000/ http://127.0.0.1:8000/ideas/
    python tests/web_quality/check_html.py page.html
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "var/web-quality/node_modules/vnu-jar/build/dist/vnu.jar"


def _fetch(url: str, folder: Path, number: int) -> Path:
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
    except urllib.error.HTTPError as error:  # a 404 page is a page to check too
        body = error.read()
    path = folder / f"page-{number}.html"
    path.write_bytes(body)
    path.with_suffix(".json").write_text(json.dumps({"url": url}))
    return path


def _where(path: Path) -> dict:
    about = path.with_suffix(".json")
    return json.loads(about.read_text()) if about.exists() else {"url": str(path)}


def check(paths: list[Path]) -> list[dict]:
    """Every error in these files, in one run of the checker (Java starts once)."""
    if not paths:
        return []
    java = shutil.which("java")
    if java is None or not VNU.exists():
        reason = f"the Nu HTML Checker needs java 17+ and {VNU.relative_to(ROOT)} (make install)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            sys.exit(f"REQUIRE_SERVICES=1 but {reason}")
        print(f"Skipped: {reason}")
        return []
    command = [java, "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json"]
    command.append("--exit-zero-always")
    run = subprocess.run(command + [str(p) for p in paths], capture_output=True, text=True)
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    for message in messages:
        file = Path(unquote(urlparse(message.get("url", "")).path))
        message["where"] = _where(file) if file.name else {"url": "?"}
    return messages


def _line(path: Path, number: int | None) -> str:
    if not number:
        return ""
    lines = path.read_text(errors="replace").splitlines()
    return lines[number - 1].strip()[:160] if number <= len(lines) else ""


def main(arguments: list[str]) -> int:
    with tempfile.TemporaryDirectory() as fetched:
        paths: list[Path] = []
        for argument in arguments:
            if argument.startswith(("http://", "https://")):
                paths.append(_fetch(argument, Path(fetched), len(paths)))
            elif Path(argument).is_dir():
                paths += sorted(Path(argument).glob("*.html"))
            else:
                paths.append(Path(argument))
        messages = check(paths)
        by_page: dict[str, list[dict]] = {}
        for message in messages:
            where = message["where"]
            source = f"   ({where['key']}; {where['test']})" if "key" in where else ""
            heading = where["url"] + source
            by_page.setdefault(heading, []).append(message)
        for heading, found in sorted(by_page.items()):
            print(f"\n{heading}")
            for message in found:
                file = Path(unquote(urlparse(message.get("url", "")).path))
                line = message.get("lastLine")
                print(f"  line {line}: {message.get('message')}")
                extract = _line(file, line) if file.exists() else ""
                if extract:
                    print(f"      {extract}")
    errors = len(messages)
    print(f"\nNu HTML Checker: {len(paths)} pages, {errors} errors on {len(by_page)} pages")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["var/html-check"]))
