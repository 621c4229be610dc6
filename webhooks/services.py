"""Webhook events and their delivery.

event_emit writes one Delivery per active webhook subscribed to the event, in the caller's
transaction, and asks the worker to send them once it commits. A broker outage only delays
them: the retry job every minute sends whatever is due. Each attempt first claims the
delivery with a conditional update (due, pending, and its next attempt pushed past the send
timeout), so two workers never send it at once and a succeeded delivery is never sent again.
A failed attempt is retried after BACKOFF; after the last, the delivery is marked failed.
Retries due within PRECISE_RETRY_WITHIN are handed to the worker with that due time (a Celery
eta), so they leave on time; the later ones, and any the broker lost, go with the retry job,
at most a minute late. Every attempt is recorded (DeliveryAttempt): when, how long, the
status code or the error.

Each delivery is signed twice with the same key (webhooks.signing): X-IdeaStorm-Signature,
and the Standard Webhooks headers, whose webhook-signature also carries a signature with the
previous secret for SECRET_GRACE after a rotation (webhook_secret_rotate).

Where a delivery may go is core.outbound's decision, made again at every attempt: a URL whose
host has come to point at a refused address (loopback, private, this site...) fails at once,
with the reason, and no connection is made. The request goes to the address checked, follows
no redirect, and keeps only the status and the first RESPONSE_EXCERPT_CHARS characters.
"""

import datetime as dt
import http.client
import json
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import outbound
from ideas.models import Idea
from webhooks.models import (
    PING,
    RESPONSE_EXCERPT_CHARS,
    Delivery,
    DeliveryAttempt,
    Event,
    Webhook,
    WebhookThreshold,
    new_secret,
)
from webhooks.signing import signature, standard_headers

log = logging.getLogger(__name__)

# The whole attempt (resolving aside): connecting, sending, and the answer's status.
TIMEOUT_SECONDS = 5
# The wait before the 2nd, 3rd, ... attempt; after the last retry fails, the delivery fails.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
# A retry due within this long is enqueued with its due time (a Celery eta) and leaves on time;
# a later one waits for the retry job (every minute). A worker holds such a message unacked
# until it runs: kept well under the Redis broker's visibility timeout (an hour), past which it
# would be handed out again, and RabbitMQ's consumer_timeout (30 minutes by default), past which
# RabbitMQ closes the worker's channel.
PRECISE_RETRY_WITHIN = dt.timedelta(minutes=10)
# After a rotation, deliveries are signed with the previous secret too for this long.
SECRET_GRACE = dt.timedelta(hours=24)
# An attempt under way holds its delivery this long (well past the timeout); if the worker
# dies mid-send, the delivery is due again afterwards.
CLAIM_FOR = dt.timedelta(minutes=2)
# The retry job stops starting new attempts after this long (it runs every minute).
RETRY_JOB_BUDGET_SECONDS = 45
VOTE_THRESHOLDS = (10, 50, 100, 500, 1000)
THRESHOLD_BATCH = 1000
USER_AGENT = "IdeaStorm-Webhooks/1"


def idea_is_public(idea: Idea) -> bool:
    """Held, hidden and withdrawn ideas are not announced: webhooks often post to chat rooms."""
    return not (idea.held_at or idea.hidden_at or idea.withdrawn_at)


def idea_payload(idea: Idea) -> dict:
    return {
        "id": idea.pk,
        "title": idea.title,
        "url": settings.IDEASTORM_SITE_URL + idea.get_absolute_url(),
        "status": idea.status,
        "score": idea.score,
        "promotes": idea.promotes,
        "demotes": idea.demotes,
        "category": idea.category.name,
        "created_at": idea.created_at.isoformat(),
    }


def _enqueue(deliveries: list[Delivery]) -> None:
    """Hand the deliveries to the worker. The broker may be down: the retry job then sends
    them within a minute or so, and the request never fails for it."""
    from webhooks.tasks import deliver

    for delivery in deliveries:
        try:
            deliver.delay(delivery.pk)
        except Exception:  # any broker error; stop at the first so a dead broker costs one wait
            log.warning("Could not enqueue webhook deliveries; the retry job will send them.")
            return


def _deliveries_create(*, webhooks: list[Webhook], event: str, payload: dict) -> list[Delivery]:
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            webhook=webhook,
            event=event,
            payload={"event": event, **payload},
            created_at=now,
            next_attempt_at=now,
        )
        for webhook in webhooks
    )
    if deliveries:
        transaction.on_commit(lambda: _enqueue(deliveries))
    return deliveries


def _retry_enqueue(delivery_id: int, due: dt.datetime) -> None:
    """Have the worker make the next attempt when it is due, if that is soon; the retry job
    sends it otherwise (and if the broker is down now)."""
    from webhooks.tasks import deliver

    if due - timezone.now() > PRECISE_RETRY_WITHIN:
        return
    try:
        deliver.apply_async((delivery_id,), eta=due)
    except Exception:  # any broker error: the retry job sends it, up to a minute late
        log.warning(
            "Could not enqueue webhook delivery %s; the retry job will send it.", delivery_id
        )


def _subscribers(event: str) -> list[Webhook]:
    # Few webhooks: filtered here, as SQLite has no JSON containment lookup.
    return [w for w in Webhook.objects.filter(active=True) if w.subscribes_to(event)]


@transaction.atomic
def event_emit(*, event: str, payload: dict) -> list[Delivery]:
    """One delivery of the event per active webhook that subscribes to it, sent after the
    caller's transaction commits."""
    if event not in Event.values:
        raise ValueError(f"Unknown webhook event: {event}")
    return _deliveries_create(webhooks=_subscribers(event), event=event, payload=payload)


def idea_event_emit(*, event: str, idea: Idea, **fields) -> list[Delivery]:
    """event_emit for a public idea, with its payload (read afresh, so score and status are
    those after the change). An Idea among `fields` becomes its payload too. Costs one query
    when no webhook subscribes."""
    if not idea_is_public(idea):
        return []
    webhooks = _subscribers(event)
    if not webhooks:
        return []
    ideas = Idea.objects.select_related("category").in_bulk(
        [idea.pk, *(v.pk for v in fields.values() if isinstance(v, Idea))]
    )
    extra = {k: idea_payload(ideas[v.pk]) if isinstance(v, Idea) else v for k, v in fields.items()}
    payload = {"idea": idea_payload(ideas[idea.pk]), **extra}
    return _deliveries_create(webhooks=webhooks, event=event, payload=payload)


@transaction.atomic
def ideas_event_emit(*, event: str, ids: list[int], **fields) -> list[Delivery]:
    """idea_event_emit for many ideas at once (a batch of the stale-ideas job): one delivery
    per public idea and subscribed webhook, with the same extra `fields` for each."""
    webhooks = _subscribers(event)
    if not webhooks or not ids:
        return []
    ideas = Idea.objects.select_related("category").filter(pk__in=ids).order_by("pk")
    deliveries = []
    for idea in ideas:
        if idea_is_public(idea):
            payload = {"idea": idea_payload(idea), **fields}
            deliveries += _deliveries_create(webhooks=webhooks, event=event, payload=payload)
    return deliveries


@transaction.atomic
def webhook_secret_rotate(*, webhook: Webhook, grace: dt.timedelta = SECRET_GRACE) -> Webhook:
    """A new secret for the webhook. The one it replaces stays valid for `grace`: deliveries
    carry a webhook-signature made with each until then. Rotating again within the grace
    period keeps only the secret just replaced."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    webhook.previous_secret = webhook.secret
    webhook.previous_secret_expires_at = timezone.now() + grace
    webhook.secret = new_secret()
    webhook.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return webhook


@transaction.atomic
def webhook_ping(*, webhook: Webhook) -> Delivery:
    """Queue a "ping" delivery to the webhook, to check the receiver ("Send test")."""
    payload = {"webhook": {"id": webhook.pk, "url": webhook.url, "events": webhook.events}}
    return _deliveries_create(webhooks=[webhook], event=PING, payload=payload)[0]


def _claim(delivery_id: int, now: dt.datetime) -> Delivery | None:
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_FOR, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return Delivery.objects.select_related("webhook").get(pk=delivery_id)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str, bool]:
    """POST the body where core.outbound allows; return (status code or None, the start of
    the answer, error, whether the destination was refused: then nothing was sent)."""
    try:
        response = outbound.post(
            url,
            body,
            headers,
            allowed_networks=settings.IDEASTORM_WEBHOOK_ALLOWED_NETWORKS,
            timeout=TIMEOUT_SECONDS,
            excerpt_chars=RESPONSE_EXCERPT_CHARS,
        )
    except outbound.Refused as refusal:
        return None, "", f"Refused, not sent: {refusal}."[:500], True
    except (OSError, http.client.HTTPException, ValueError) as error:
        return None, "", f"{type(error).__name__}: {error}"[:500], False
    if 300 <= response.status < 400:
        error = f"HTTP {response.status}: redirects are not followed"
    elif 200 <= response.status < 300:
        error = ""
    else:
        error = f"HTTP {response.status}"
    return response.status, response.excerpt, error, False


def delivery_send(*, delivery_id: int) -> str | None:
    """One attempt at a due, pending delivery; returns its status afterwards, or None when
    there was nothing to do (sent already, not due, or another worker has it)."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    webhook = delivery.webhook
    body = json.dumps(
        {"event": delivery.event, "sent_at": now.isoformat(), **delivery.payload},
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-IdeaStorm-Event": delivery.event,
        "X-IdeaStorm-Delivery": str(delivery.pk),
        "X-IdeaStorm-Signature": signature(webhook.secret, body),
        # The same id on every retry, as X-IdeaStorm-Delivery.
        **standard_headers(
            webhook.signing_secrets(now), str(delivery.pk), int(now.timestamp()), body
        ),
    }
    started = time.monotonic()
    code, response_body, error, refused = _post(webhook.url, body, headers)
    duration_ms = round((time.monotonic() - started) * 1000)
    finished = timezone.now()
    outcome = {"response_code": code, "response_body": response_body, "error": error}
    if code is not None and 200 <= code < 300:
        outcome.update(
            status=Delivery.Status.SUCCEEDED, delivered_at=finished, next_attempt_at=None
        )
    elif refused or delivery.attempts > len(BACKOFF):
        # A refused destination is not retried: each try would be another shot at the
        # refused address for whoever controls the name's DNS.
        outcome.update(status=Delivery.Status.FAILED, next_attempt_at=None)
    else:
        outcome.update(next_attempt_at=finished + BACKOFF[delivery.attempts - 1])
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(**outcome)
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=now,
            duration_ms=duration_ms,
            response_code=code,
            response_body=response_body,
            error=error[:500],
        )
    if outcome["next_attempt_at"] is not None:
        _retry_enqueue(delivery.pk, outcome["next_attempt_at"])
    return outcome.get("status", Delivery.Status.PENDING)


def deliveries_send_due(*, budget_seconds: float = RETRY_JOB_BUDGET_SECONDS) -> dict:
    """Attempt the pending deliveries whose time has come, oldest due first, for up to
    `budget_seconds`: retries, and what a broker outage kept from the worker."""
    started = time.monotonic()
    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "id")
    counts = {"attempted": 0, "succeeded": 0}
    for delivery_id in due.values_list("pk", flat=True)[:500]:
        if time.monotonic() - started > budget_seconds:
            break
        status = delivery_send(delivery_id=delivery_id)
        if status is not None:
            counts["attempted"] += 1
            counts["succeeded"] += status == Delivery.Status.SUCCEEDED
    return counts


def _crossed(score: int) -> int:
    return max((t for t in VOTE_THRESHOLDS if score >= t), default=0)


def vote_thresholds_announce() -> dict:
    """Emit "idea.vote_threshold" for each public idea whose score has reached a threshold
    higher than any announced for it before; each threshold is announced once per idea, even
    if the score falls back and rises again. An idea that passed several since the last run
    is announced once, at the highest. The vote path is left alone: this compares scores
    with WebhookThreshold every few minutes."""
    announced = Coalesce(
        Subquery(WebhookThreshold.objects.filter(idea=OuterRef("pk")).values("announced")[:1]),
        Value(0),
        output_field=IntegerField(),
    )
    reached = Q()
    for threshold in VOTE_THRESHOLDS:
        reached |= Q(score__gte=threshold, announced__lt=threshold)
    with transaction.atomic():
        ideas = list(
            Idea.objects.visible()
            .filter(score__gte=VOTE_THRESHOLDS[0])
            .annotate(announced=announced)
            .filter(reached)
            .order_by("pk")[:THRESHOLD_BATCH]
        )
        for idea in ideas:
            threshold = _crossed(idea.score)
            WebhookThreshold.objects.update_or_create(idea=idea, defaults={"announced": threshold})
            idea_event_emit(event=Event.IDEA_VOTE_THRESHOLD, idea=idea, threshold=threshold)
    return {"announced": len(ideas)}
