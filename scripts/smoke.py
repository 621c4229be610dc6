"""The newcomer's path against a running `make run`: the home page shows demo ideas, health is
green, and a vote is counted. Usage: python scripts/smoke.py http://127.0.0.1:8000"""

import json
import re
import sys
import time
import urllib.error
import urllib.request


def call(method: str, url: str, body: dict | None = None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


def wait_until_up(base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            call("GET", f"{base}/healthz")
            return
        except urllib.error.HTTPError:
            return  # it answers: up, healthy or not
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"smoke: {base} did not come up within {timeout:.0f}s")
            time.sleep(1)


def main(base: str) -> None:
    wait_until_up(base, timeout=300)
    status, home = call("GET", f"{base}/")
    assert status == 200, status
    assert 'data-testid="idea-score"' in home, "home page shows no ideas"
    assert "Linux" in home, "home page does not show the demo ideas"
    print("smoke: home page serves demo ideas")

    # The stylesheets by their content-hashed names, compressed, kept by browsers for a year.
    css = re.findall(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home)
    assert css, "home page links no stylesheet with a hashed name (collectstatic's manifest)"
    request = urllib.request.Request(base + css[0], headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        cache_control = response.headers["Cache-Control"]
        encoding = response.headers["Content-Encoding"]
    max_age = int(re.search(r"max-age=(\d+)", cache_control)[1])
    assert "immutable" in cache_control and max_age >= 365 * 24 * 3600, cache_control
    assert encoding in ("br", "gzip"), encoding
    print(f"smoke: {css[0]} served {encoding}, Cache-Control: {cache_control}")

    status, health = call("GET", f"{base}/healthz")
    print(f"smoke: /healthz {status} {health}")

    credentials = {"username": "bob", "password": "ideastorm-demo"}
    token = json.loads(call("POST", f"{base}/api/auth/token/", credentials)[1])["token"]
    ideas = json.loads(call("GET", f"{base}/api/ideas/?sort=new", token=token)[1])["results"]
    target = next(idea for idea in ideas if idea["my_vote"] is None)
    _, voted = call("PUT", f"{base}/api/ideas/{target['id']}/vote/", {"value": 1}, token)
    voted = json.loads(voted)
    assert voted["score"] == target["score"] + 1 and voted["my_vote"] == 1, voted
    again = json.loads(call("GET", f"{base}/api/ideas/{target['id']}/", token=token)[1])
    assert again["score"] == voted["score"], again
    print(f"smoke: vote counted on idea {target['id']}: {target['score']} -> {voted['score']}")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
