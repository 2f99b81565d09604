"""What several pages look up the same way, answering 404 for what is not there."""
from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.judge.collection import counted
from minhbach.audit.reports.rows import latest_audit
from minhbach.audit.store.models import AuditRun
from minhbach.audit.words.i18n import _


def pick_audit(session: Session, audit_id: int | None) -> AuditRun | None:
    """Audit `audit_id` (404 if there is none such), or the latest when no id is given (one of a
    night the crawler could not reach the network only when there is no other)."""
    if audit_id is not None:
        audit = session.get(AuditRun, audit_id)
        if audit is None:
            raise HTTPException(status_code=404, detail=_("There is no audit {id}.").format(id=audit_id))
        return audit
    return session.scalar(counted(select(AuditRun)).order_by(AuditRun.id.desc()).limit(1)) or latest_audit(session)
