"""The audit log: every moderation and staff action, who, what, when, why, before and after."""

from django.utils import timezone

from core.models import AuditEntry


def _describe(target) -> tuple[str, int | None, str]:
    if target is None:
        return "", None, ""
    kind = target._meta.model_name
    label = getattr(target, "title", None) or getattr(target, "username", None) or str(target)
    return kind, target.pk, str(label)[:200]


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the action it records, so the log
    and the change commit together or not at all."""
    target_type, target_id, target_label = _describe(target)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=getattr(actor, "username", "") or "",
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        reason=reason,
        before=before or {},
        after=after or {},
        created_at=timezone.now(),
    )
