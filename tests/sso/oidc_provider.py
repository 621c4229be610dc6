"""A real OpenID Connect provider for the tests: tests/sso/provider (panva's oidc-provider on
Node.js), started on a free port and stopped afterwards; a user who logs in and consents at
its pages, driven over HTTP; and a proxy that can stand between the site and the provider
and change what the provider says."""

from __future__ import annotations

import base64
import copy
import html
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import requests

from ideastorm.settings import sso_form_action, sso_provider_settings
from tests.conftest import need

PROVIDER_DIR = Path(__file__).parent / "provider"
CLIENT_ID = "ideastorm-tests"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"
CALLBACK_PATH = "/accounts/sso/oidc/login/callback/"
START_SECONDS = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    port: int
    issuer: str
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def provider_available() -> None:
    """Skip (or fail, under REQUIRE_SERVICES=1) without Node.js or the provider's packages."""
    need(shutil.which("node") is not None, "Node.js is missing (apt-get install -y nodejs npm)")
    need(
        (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir(),
        "the test OpenID Connect provider is not installed (make install runs npm ci in "
        "tests/sso/provider)",
    )


def start_provider(
    *, redirect_uris: list[str], log_dir: Path, issuer: str | None = None, key_id: str = "test-key"
) -> Provider:
    """Start tests/sso/provider and wait until its discovery document answers."""
    provider_available()
    port = free_port()
    issuer = issuer or f"http://127.0.0.1:{port}"
    log = log_dir / f"oidc-provider-{port}.log"
    env = {
        **os.environ,
        "PORT": str(port),
        "ISSUER": issuer,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": ",".join(redirect_uris),
        "KEY_ID": key_id,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["node", "provider.js"], cwd=PROVIDER_DIR, env=env, stdout=out, stderr=out
        )
    provider = Provider(port=port, issuer=issuer, process=process, log=log)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            answer = requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=1)
            if answer.ok:
                return provider
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    provider.stop()
    raise RuntimeError(f"the OpenID Connect provider did not start:\n{log.read_text()}")


def site_settings(provider: Provider, *, issuer: str | None = None, **app_settings) -> dict:
    """SOCIALACCOUNT_PROVIDERS for a site whose single sign-on is this provider, made by the
    same function as the settings' own; `app_settings` change the app's settings."""
    providers = sso_provider_settings(
        {
            "IDEASTORM_OIDC_ISSUER": issuer or provider.issuer,
            "IDEASTORM_OIDC_CLIENT_ID": CLIENT_ID,
            "IDEASTORM_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "IDEASTORM_OIDC_NAME": "Test SSO",
        }
    )
    providers["openid_connect"]["APPS"][0]["settings"].update(app_settings)
    return providers


def configure_site(settings, provider: Provider, **kwargs) -> dict:
    """Point the site (pytest-django's `settings`) at the provider, its CSP's form-action too."""
    providers = site_settings(provider, **kwargs)
    settings.SOCIALACCOUNT_PROVIDERS = providers
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = ["'self'", *sso_form_action(providers)]
    settings.CONTENT_SECURITY_POLICY = policy
    return providers


def log_in_at_provider(authorize_url: str, login: str, *, site: str) -> str:
    """What a person does at the provider's pages: log in as `login`, consent. Returns the
    URL the provider sends the browser back to (the site's callback, with code and state)."""
    session = requests.Session()
    response = session.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(site):
                return location
            response = session.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.ok, (response.status_code, response.text[:2000])
        action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', response.text)[1])
        prompt = re.search(r'name="prompt" value="(\w+)"', response.text)[1]
        data = {"prompt": prompt}
        if prompt == "login":
            data |= {"login": login, "password": "anything"}
        response = session.post(
            urljoin(response.url, action), data=data, allow_redirects=False, timeout=10
        )
    raise AssertionError("the provider never sent the browser back to the site")


def jwt_parts(token: str) -> list[str]:
    return token.split(".")


def b64_json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def b64_encode(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@dataclass
class Proxy:
    """Forwards to the provider; `rewrite(path, body)` may change a JSON answer on its way."""

    target: str
    rewrite: Callable[[str, dict], dict]
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Proxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection"}
                }
                answer = requests.request(
                    method,
                    proxy.target + self.path,
                    data=body,
                    headers=headers,
                    allow_redirects=False,
                    timeout=10,
                )
                content = answer.content
                if answer.headers.get("Content-Type", "").startswith("application/json"):
                    rewritten = proxy.rewrite(self.path.split("?", 1)[0], answer.json())
                    content = json.dumps(rewritten).encode()
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self):
                self._forward("GET")

            def do_POST(self):
                self._forward("POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
