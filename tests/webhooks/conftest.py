"""A webhook receiver on 127.0.0.1, run by the test: it records each request and answers the
status the test sets."""

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


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(Received(self.path, dict(self.headers), body))
            self.send_response(state.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"thanks " * 300)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield state
    server.shutdown()
    server.server_close()


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
