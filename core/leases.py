"""Leases: named locks in the database that expire unless their holder renews them.

A lease is a row (core.models.Lease) taken with one conditional UPDATE, or an INSERT the
unique name guards, and timed by the database's clock, so nodes whose clocks differ agree on
who holds it. It needs no session state: it works through PgBouncer in transaction mode, where
a session advisory lock would be taken on one server connection and released on another.
A holder that dies (a worker killed mid-job, a beat on a lost machine) lets go when the lease
runs out; `renewing` keeps a long job's lease alive from a thread meanwhile.
"""

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from contextlib import contextmanager

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Now

from core.models import Lease

logger = logging.getLogger(__name__)


def holder_id() -> str:
    """Who holds a lease: this host and process, and a random part for each holder object."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_acquire(name: str, holder: str, seconds: float) -> bool:
    """Take the lease, or renew it if `holder` has it already; False while another holds it."""
    until = Now() + dt.timedelta(seconds=seconds)
    taken = (
        Lease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(expires_at__lt=Now()))
        .update(holder=holder, expires_at=until)
    )
    if taken:
        return True
    if Lease.objects.filter(name=name).exists():  # held: no INSERT to fail (and be logged)
        return False
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=until)
    except IntegrityError:  # another holder's lease, current
        return False
    return True


def lease_release(name: str, holder: str) -> None:
    """Let go at once (only the holder's own lease)."""
    Lease.objects.filter(name=name, holder=holder).delete()


class _Renewer(threading.Thread):
    """Renews a lease every sixth of its length until stopped, so several renewals may fail
    (a database or pooler briefly out of reach) before it runs out; its own database
    connection is opened at the first renewal and closed when it stops."""

    def __init__(self, name: str, holder: str, seconds: float) -> None:
        super().__init__(name=f"lease-{name}", daemon=True)
        self.lease, self.holder, self.seconds = name, holder, seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.seconds / 6):
                try:
                    if not lease_acquire(self.lease, self.holder, self.seconds):
                        logger.error("lease %s was taken over while its holder ran", self.lease)
                        return
                except DatabaseError:
                    logger.warning("lease %s: renewal failed; trying again", self.lease)
                    connection.close()
        finally:
            connection.close()


@contextmanager
def renewing(name: str, seconds: float):
    """Hold the lease `name` for the block, renewed as it runs; yields False (and runs
    nothing of its own) when another holder has it."""
    holder = holder_id()
    if not lease_acquire(name, holder, seconds):
        yield False
        return
    renewer = _Renewer(name, holder, seconds)
    renewer.start()
    try:
        yield True
    finally:
        renewer.stopped.set()
        renewer.join()
        lease_release(name, holder)
