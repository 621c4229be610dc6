"""The cluster test's outside world: a webhook receiver and a mail server (aiosmtpd), in one
process in their own namespace. Each arrival is one JSON line in OUT/webhooks.jsonl or
OUT/mails.jsonl, written before the answer goes back, so what was answered was recorded.

    python scripts/cluster/sinks.py --webhook 10.77.0.40:8080 --smtp 10.77.0.40:2525 --out DIR
"""

import argparse
import json
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller


class JsonLines:
    def __init__(self, path: Path) -> None:
        self.file = path.open("a", buffering=1)
        self.lock = threading.Lock()

    def write(self, record: dict) -> None:
        with self.lock:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()


class WebhookHandler(BaseHTTPRequestHandler):
    log: JsonLines

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            event = json.loads(body).get("event", "")
        except ValueError:
            event = "?"
        self.log.write(
            {
                "t": time.time(),
                "delivery": self.headers.get("X-IdeaStorm-Delivery"),
                "webhook_id": self.headers.get("webhook-id"),
                "event": event,
            }
        )
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args) -> None:  # quiet: the JSON lines are the record
        pass


class MailHandler:
    def __init__(self, log: JsonLines) -> None:
        self.log = log

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        self.log.write(
            {
                "t": time.time(),
                "message_id": message.get("Message-ID", "").strip(),
                "to": list(envelope.rcpt_tos),
                "subject": str(message.get("Subject", "")),
            }
        )
        return "250 OK"


def address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--webhook", type=address, required=True)
    parser.add_argument("--smtp", type=address, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    WebhookHandler.log = JsonLines(args.out / "webhooks.jsonl")
    smtp = Controller(
        MailHandler(JsonLines(args.out / "mails.jsonl")),
        hostname=args.smtp[0],
        port=args.smtp[1],
        # Not socket.getfqdn(), which asks DNS once per connection.
        server_hostname="sink.cluster.test",
        ready_timeout=10,
    )
    smtp.start()
    server = ThreadingHTTPServer(args.webhook, WebhookHandler)
    server.daemon_threads = True
    print("sinks ready", flush=True)
    try:
        server.serve_forever()
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
