"""Votes through a real PgBouncer in transaction mode (Debian's 1.18, which keeps no prepared
statements for its clients): with DATABASE_TRANSACTION_POOLING=true every vote counts; without
it the vote path's SQL PREPARE breaks as soon as two clients share a server connection."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ideas.models import Idea
from tests.conftest import need
from tests.factories import IdeaFactory, UserFactory
from votes.models import Vote

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

# Votes from three threads, each with its own connection to the pooler, which has one server
# connection for all of them.
VOTER = """
import sys, threading
import django
django.setup()
from django.db import connection
from accounts.models import User
from votes.services import vote_cast

idea = int(sys.argv[1])
voters = list(User.objects.filter(pk__in=[int(v) for v in sys.argv[2].split(",")]))
connection.close()
errors = []

def cast(chunk):
    try:
        for voter in chunk:
            vote_cast(voter=voter, idea=idea, value=1)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=cast, args=(voters[i::3],)) for i in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("\\n".join(errors))
sys.exit(1 if errors else 0)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def pgbouncer(postgres):
    need(os.path.exists(PGBOUNCER), "pgbouncer is not installed (apt-get install -y pgbouncer)")
    db = connection.settings_dict
    port = free_port()
    # PgBouncer refuses to run as root: it runs as postgres, which must read its files.
    folder = Path(tempfile.mkdtemp(prefix="ideastorm-pgbouncer-"))
    folder.chmod(0o755)
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{db['NAME']} = host={db['HOST']} port={db['PORT']} "
        f"dbname={db['NAME']} user={db['USER']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = any\npool_mode = transaction\ndefault_pool_size = 1\n"
        "max_client_conn = 50\nserver_reset_query =\n"
    )
    user = ["-u", "postgres"] if os.geteuid() == 0 else []
    proc = subprocess.Popen(
        [PGBOUNCER, *user, str(folder / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}"
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(folder)


def vote_through(url: str, idea: Idea, voters, *, pooling: bool) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_TRANSACTION_POOLING": "true" if pooling else "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "ideastorm.settings",
    }
    ids = ",".join(str(voter.pk) for voter in voters)
    return subprocess.run(
        [sys.executable, "-c", VOTER, str(idea.pk), ids],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_with_the_setting_every_vote_counts_through_the_pooler(pgbouncer):
    idea = IdeaFactory()
    voters = UserFactory.create_batch(12)
    result = vote_through(pgbouncer, idea, voters, pooling=True)
    assert result.returncode == 0, result.stdout + result.stderr
    idea.refresh_from_db()
    assert (idea.promotes, idea.score) == (12, 12)
    assert Vote.objects.filter(idea=idea).count() == 12


def test_without_it_the_prepared_vote_statement_breaks_behind_the_pooler(pgbouncer):
    """Why the setting exists: the statement one client prepared is on the shared server
    connection when the next client prepares it."""
    idea = IdeaFactory()
    result = vote_through(pgbouncer, idea, UserFactory.create_batch(12), pooling=False)
    assert result.returncode != 0
    assert "prepared statement" in result.stdout
