"""A webhook receiver on 127.0.0.1, run by the test: it records each request and answers the
status the test sets. Loopback is refused to webhooks, so the receiver opens 127.0.0.1/32
with IDEASTORM_WEBHOOK_ALLOWED_NETWORKS, and takes 127.0.0.1 and localhost off this site's
host names (the site is "testserver" here); `dns` stands in for the resolver."""

import ipaddress
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ideastorm.celery import app as celery_app
from webhooks.models import Webhook


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    status: int = 200
    requests: list[Received] = field(default_factory=list)
    # TCP connections accepted, requests or not.
    connections: int = 0
    port: int = 0


@pytest.fixture
def site_is_testserver(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.IDEASTORM_SITE_URL = "http://testserver"


@pytest.fixture
def loopback_allowed(settings, site_is_testserver):
    settings.IDEASTORM_WEBHOOK_ALLOWED_NETWORKS = (ipaddress.ip_network("127.0.0.1/32"),)


class CountingServer(ThreadingHTTPServer):
    def __init__(self, address, handler, state):
        super().__init__(address, handler)
        self.state = state

    def verify_request(self, request, client_address) -> bool:
        self.state.connections += 1
        return True


def serve(handler: type[BaseHTTPRequestHandler], state, host: str = "127.0.0.1"):
    """Run an HTTP server with the handler on host (a free port) in a thread; stop() ends it."""
    server = CountingServer((host, 0), handler, state)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return server.server_port, stop


@pytest.fixture
def dns(monkeypatch):
    """Names the test makes up, and the addresses they resolve to (a list, or a function
    called at each lookup); other names go to the real resolver."""
    names: dict = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in names:
            return real(host, port, family, type, proto, flags)
        answer = names[host]
        addresses = answer() if callable(answer) else answer
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in ip else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (ip, port or 0, 0, 0) if ":" in ip else (ip, port or 0),
            )
            for ip in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.fixture
def receiver(loopback_allowed):
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            # The headers as received; lookups ignore case, as HTTP does.
            state.requests.append(Received(self.path, self.headers, body))
            self.send_response(state.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"thanks " * 300)

        def log_message(self, *args):
            pass

    state.port, stop = serve(Handler, state)
    state.url = f"http://127.0.0.1:{state.port}/hook"
    yield state
    stop()


@pytest.fixture
def make_webhook(db, receiver):
    def make(events=("idea.created",), **fields) -> Webhook:
        return Webhook.objects.create(url=receiver.url, events=list(events), **fields)

    return make


@pytest.fixture
def eager_tasks():
    # The after-commit enqueue then runs the task here, on the test database.
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
