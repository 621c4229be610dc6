"""Vote stuffing: find suspicious groups of votes, quarantine them, let a moderator decide.

Two rules, over the votes cast since the last run (with an overlap):

* burst: on one idea, votes from one network by accounts that are new (joined less than
  NEW_ACCOUNT_AGE before voting) or had no activity before (no vote, idea or comment at least
  a day earlier), each within BURST_GAP of the previous one, BURST_MIN or more of them;
* ring: accounts on one network that vote on the same ideas within RING_GAP of each other, on
  RING_MIN_IDEAS or more ideas, RING_MIN_ACCOUNTS or more accounts linked that way.

A finding becomes a StuffingCase with its evidence; its votes are quarantined at once (kept,
counted in no score: votes.services.votes_quarantine_set). A vote is held by one case at most,
and a vote a moderator released (cleared) is never quarantined again. Each finding has a
fingerprint, so a second run never opens it twice; it adds newly found votes to an open or
confirmed case and leaves a released one alone (a moderator said those votes are fine).
"""

import datetime as dt
import hashlib
from collections import defaultdict

from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.utils import timezone

from comments.models import Comment
from core.audit import audit_record
from ideas.models import Idea
from moderation.models import StuffingCase
from votes.models import Vote
from votes.services import votes_quarantine_move, votes_quarantine_set

NEW_ACCOUNT_AGE = dt.timedelta(days=3)
ESTABLISHED_ACTIVITY_BEFORE = dt.timedelta(days=1)
BURST_GAP = dt.timedelta(minutes=10)
BURST_MIN = 5
RING_GAP = dt.timedelta(minutes=5)
RING_MIN_IDEAS = 3
RING_MIN_ACCOUNTS = 3
# How far before the last run's start a scan begins, so a burst that straddles two runs is
# seen whole.
SCAN_OVERLAP = dt.timedelta(minutes=30)


def _fingerprint(*parts) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:64]


def _before(field: str, delta: dt.timedelta) -> ExpressionWrapper:
    return ExpressionWrapper(OuterRef(field) - Value(delta), output_field=DateTimeField())


def _recent_votes(since: dt.datetime, now: dt.datetime):
    return Vote.objects.filter(
        created_at__gte=since, created_at__lte=now, quarantine__isnull=True, cleared=False
    ).exclude(network="")


def _suspicious_votes(since: dt.datetime, now: dt.datetime) -> list[tuple]:
    """(vote id, voter id, idea id, network, created_at) of the votes in the window cast by
    accounts that were new or had shown no activity before."""
    earlier = _before("created_at", ESTABLISHED_ACTIVITY_BEFORE)
    active_before = (
        Exists(Vote.objects.filter(voter=OuterRef("voter"), created_at__lt=earlier))
        | Exists(Idea.objects.filter(author=OuterRef("voter"), created_at__lt=earlier))
        | Exists(Comment.objects.filter(author=OuterRef("voter"), created_at__lt=earlier))
    )
    joined_after = ExpressionWrapper(
        F("created_at") - Value(NEW_ACCOUNT_AGE), output_field=DateTimeField()
    )
    votes = _recent_votes(since, now).filter(
        Q(voter__date_joined__gt=joined_after) | ~active_before
    )
    return list(
        votes.order_by("idea_id", "network", "created_at", "id").values_list(
            "id", "voter_id", "idea_id", "network", "created_at"
        )
    )


def _bursts(votes: list[tuple]) -> list[dict]:
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for vote in votes:
        groups[(vote[2], vote[3])].append(vote)
    findings = []
    for (idea_id, network), rows in groups.items():
        cluster: list[tuple] = []
        for row in [*rows, None]:
            if row is not None and (not cluster or row[4] - cluster[-1][4] <= BURST_GAP):
                cluster.append(row)
                continue
            if len({r[1] for r in cluster}) >= BURST_MIN:
                findings.append(
                    {
                        "rule": StuffingCase.Rule.BURST,
                        "network": network,
                        "idea_id": idea_id,
                        "fingerprint": _fingerprint("burst", idea_id, network, cluster[0][0]),
                        "vote_ids": [r[0] for r in cluster],
                        "voters": {r[0]: r[1] for r in cluster},
                        "evidence": {
                            "first_vote_at": cluster[0][4].isoformat(),
                            "last_vote_at": cluster[-1][4].isoformat(),
                            "why": "new or inactive accounts on one network, minutes apart",
                        },
                    }
                )
            cluster = [row] if row is not None else []
    return findings


def _rings(since: dt.datetime, now: dt.datetime) -> list[dict]:
    # Votes an open burst case holds count too: runs every few minutes catch a group's burst
    # on its first idea before it has voted on enough ideas to be a ring.
    held_by_open_burst = Q(
        quarantine__state=StuffingCase.State.OPEN, quarantine__rule=StuffingCase.Rule.BURST
    )
    votes = (
        Vote.objects.filter(created_at__gte=since, created_at__lte=now, cleared=False)
        .filter(Q(quarantine__isnull=True) | held_by_open_burst)
        .exclude(network="")
        .order_by("idea_id", "network", "created_at")
    )
    by_place: dict[tuple, list[tuple]] = defaultdict(list)
    for vote in votes.values_list("id", "voter_id", "idea_id", "network", "created_at"):
        by_place[(vote[2], vote[3])].append(vote)
    pair_ideas: dict[tuple, set[int]] = defaultdict(set)
    pair_votes: dict[tuple, set[int]] = defaultdict(set)
    voters: dict[int, int] = {}
    for (idea_id, network), rows in by_place.items():
        voters.update((row[0], row[1]) for row in rows)
        for i, (vote_a, voter_a, _, _, at_a) in enumerate(rows):
            for vote_b, voter_b, _, _, at_b in rows[i + 1 :]:
                if at_b - at_a > RING_GAP:
                    break
                if voter_a == voter_b:
                    continue
                pair = (network, min(voter_a, voter_b), max(voter_a, voter_b))
                pair_ideas[pair].add(idea_id)
                pair_votes[pair].update((vote_a, vote_b))
    # Accounts linked by pairs that co-voted on enough ideas, grouped per network.
    parent: dict[tuple, tuple] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    strong = [pair for pair, ideas in pair_ideas.items() if len(ideas) >= RING_MIN_IDEAS]
    for network, a, b in strong:
        parent[find((network, a))] = find((network, b))
    components: dict[tuple, list[tuple]] = defaultdict(list)
    for network, a, b in strong:
        components[find((network, a))].append((network, a, b))
    findings = []
    for pairs in components.values():
        network = pairs[0][0]
        accounts = sorted({a for _, a, _ in pairs} | {b for _, _, b in pairs})
        if len(accounts) < RING_MIN_ACCOUNTS:
            continue
        ideas = sorted(set().union(*(pair_ideas[p] for p in pairs)))
        vote_ids = sorted(set().union(*(pair_votes[p] for p in pairs)))
        findings.append(
            {
                "rule": StuffingCase.Rule.RING,
                "network": network,
                "idea_id": None,
                "fingerprint": _fingerprint("ring", network, *accounts),
                "vote_ids": vote_ids,
                "voters": {pk: voters[pk] for pk in vote_ids},
                "evidence": {
                    "ideas": ideas,
                    "why": f"voted on the same {len(ideas)} ideas within minutes of each other",
                },
            }
        )
    return findings


def stuffing_detect(*, since: dt.datetime | None, now: dt.datetime | None = None) -> dict:
    """Find bursts and rings among the votes since `since` (the last day when None), open or
    extend their cases and quarantine their votes. Safe to run twice."""
    now = now or timezone.now()
    since = since or now - dt.timedelta(days=1)
    # Rings first: one case for a group that voted together across ideas, rather than a burst
    # case per idea over the same votes. A vote is held by one case; a finding whose votes are
    # all held already opens nothing.
    findings = _rings(since, now) + _bursts(_suspicious_votes(since, now))
    opened = quarantined = 0
    held: set[int] = set()
    for finding in findings:
        # What this run's earlier findings left: the accounts are those of the votes left, and
        # must still make the rule's minimum (a ban must not reach another case's accounts).
        vote_ids = [pk for pk in finding["vote_ids"] if pk not in held]
        accounts = sorted({finding["voters"][pk] for pk in vote_ids})
        is_ring = finding["rule"] == StuffingCase.Rule.RING
        if len(accounts) < (RING_MIN_ACCOUNTS if is_ring else BURST_MIN):
            continue
        evidence = {"votes": len(vote_ids), "accounts": len(accounts), **finding["evidence"]}
        with transaction.atomic():
            case, created = StuffingCase.objects.select_for_update().get_or_create(
                fingerprint=finding["fingerprint"],
                defaults={
                    "rule": finding["rule"],
                    "network": finding["network"],
                    "idea_id": finding["idea_id"],
                    "evidence": evidence,
                    "detected_at": now,
                },
            )
            if case.state == StuffingCase.State.RELEASED:
                continue
            held.update(vote_ids)
            if created:
                opened += 1
                audit_record(
                    actor=None,
                    action="stuffing.detected",
                    target=case,
                    reason=evidence["why"],
                    after={"rule": case.rule, "network": case.network, **evidence},
                )
            case.accounts.add(*accounts)
            before = case.votes.count()
            if is_ring:
                _take_from_open_bursts(vote_ids, case)
            votes_quarantine_set(vote_ids=vote_ids, case_id=case.pk)
            quarantined += case.votes.count() - before
    return {"findings": len(findings), "cases_opened": opened, "votes_quarantined": quarantined}


def _take_from_open_bursts(vote_ids: list[int], ring: StuffingCase) -> None:
    """Move to the ring case the votes open burst cases hold (both keep them out of every
    count, so nothing is recounted); a burst case left with no vote is superseded and goes."""
    moving = Vote.objects.filter(
        pk__in=vote_ids,
        quarantine__state=StuffingCase.State.OPEN,
        quarantine__rule=StuffingCase.Rule.BURST,
    )
    sources = set(moving.values_list("quarantine_id", flat=True))
    votes_quarantine_move(vote_ids=list(moving.values_list("pk", flat=True)), case_id=ring.pk)
    for burst in StuffingCase.objects.filter(pk__in=sources).select_for_update():
        if not burst.votes.exists():
            audit_record(
                actor=None,
                action="stuffing.superseded",
                target=burst,
                reason=f"Its votes are part of the ring case #{ring.pk}.",
                after={"ring_case": ring.pk},
            )
            burst.delete()


@transaction.atomic
def case_decide(*, case: StuffingCase, moderator, confirm: bool, reason: str = "") -> StuffingCase:
    """Confirm (the votes stay out of every score) or release (they count again) a case."""
    case = StuffingCase.objects.select_for_update().get(pk=case.pk)
    before = {"state": case.state, "quarantined_votes": case.votes.count()}
    if confirm:
        case.state = StuffingCase.State.CONFIRMED
    else:
        case.state = StuffingCase.State.RELEASED
        votes_quarantine_set(release_case=case.pk, case_id=None)
    case.decided_at, case.decided_by = timezone.now(), moderator
    case.save(update_fields=["state", "decided_at", "decided_by"])
    audit_record(
        actor=moderator,
        action="stuffing.confirmed" if confirm else "stuffing.released",
        target=case,
        reason=reason,
        before=before,
        after={"state": case.state, "quarantined_votes": case.votes.count()},
    )
    return case
