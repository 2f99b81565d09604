"""After a night: tell people what got worse, in Vietnamese, by e-mail (SMTP) and by a signed
webhook. Nothing is sent when nothing changed, and a failure to send is logged, never fatal:
the night's results are in the store and its folder either way."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import smtplib
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from minhbach.audit.changes import SiteChange
from minhbach.rules.registry import all_rules

log = logging.getLogger("minhbach.nightly")
OUTCOME_VI = {"pass": "Đạt", "partial": "Đạt một phần", "fail": "Không đạt", "needs_review": "Cần xem lại",
              "error": "Không đánh giá được", "not_applicable": "Không áp dụng"}


@dataclass
class NightChanges:
    """What changed since the previous audit: rule rows as `diff_audits` gives them, and sites."""

    night: date
    audit_id: int
    previous_audit_id: int | None
    rows: list[dict] = field(default_factory=list)
    sites: list[SiteChange] = field(default_factory=list)

    @property
    def regressions(self) -> list[dict]:
        return [r for r in self.rows if r["change"] == "regression"]

    @property
    def improvements(self) -> list[dict]:
        return [r for r in self.rows if r["change"] == "improvement"]

    @property
    def lost(self) -> list[SiteChange]:
        return [s for s in self.sites if s.reachable == "lost"]

    @property
    def recovered(self) -> list[SiteChange]:
        return [s for s in self.sites if s.reachable == "recovered"]

    def worth_telling(self) -> bool:
        return bool(self.regressions or self.lost or self.recovered)

    def only(self, agency_code: str) -> "NightChanges":
        return NightChanges(self.night, self.audit_id, self.previous_audit_id,
                            [r for r in self.rows if r["agency_code"] == agency_code],
                            [s for s in self.sites if s.agency_code == agency_code])


def _rule_title(code: str) -> str:
    rule = all_rules().get(code)
    return rule.title_vi if rule else code


def subject(changes: NightChanges) -> str:
    parts = [f"{len(changes.regressions)} tiêu chí giảm"]
    if changes.lost:
        parts.append(f"{len(changes.lost)} trang web không truy cập được")
    if changes.recovered:
        parts.append(f"{len(changes.recovered)} trang web truy cập lại được")
    return f"[minhbach] Kết quả đêm {changes.night:%d/%m/%Y}: " + ", ".join(parts)


def email_text(changes: NightChanges) -> str:
    lines = [f"Kết quả kiểm tra cổng thông tin đêm {changes.night:%d/%m/%Y} "
             f"(lượt đánh giá {changes.audit_id}, so với lượt {changes.previous_audit_id}).", ""]
    if changes.regressions:
        lines.append(f"Tiêu chí giảm ({len(changes.regressions)}):")
        for row in changes.regressions:
            lines.append(f"- {row['agency_name']} ({row['agency_code']}) – {row['rule_code']} "
                         f"{_rule_title(row['rule_code'])}: {OUTCOME_VI.get(row['before'], row['before'])} → "
                         f"{OUTCOME_VI.get(row['after'], row['after'])}")
            if row.get("note"):
                lines.append(f"  {row['note']}")
            if row.get("evidence_url"):
                lines.append(f"  Bằng chứng: {row['evidence_url']}")
            elif row.get("evidence_before"):
                lines.append(f"  Trước đây có tại: {row['evidence_before']}")
        lines.append("")
    if changes.lost:
        lines.append(f"Trang web mới không truy cập được ({len(changes.lost)}):")
        for site in changes.lost:
            lines.append(f"- {site.agency_name} ({site.agency_code}): {site.reason or 'không truy cập được'}")
            lines.append(f"  Địa chỉ: {site.portal_url}")
        lines.append("")
    if changes.recovered:
        lines.append(f"Trang web truy cập lại được ({len(changes.recovered)}):")
        for site in changes.recovered:
            score = f": {site.score_after:.1f} điểm, {site.grade_after}" if site.score_after is not None else ""
            lines.append(f"- {site.agency_name} ({site.agency_code}){score}")
            lines.append(f"  Địa chỉ: {site.portal_url}")
        lines.append("")
    if changes.improvements:
        lines.append(f"Ngoài ra {len(changes.improvements)} tiêu chí được cải thiện.")
        lines.append("")
    lines.append(f"Chi tiết: minhbach diff --to {changes.audit_id}; minhbach report --agency MÃ")
    lines.append("Thư này do minhbach gửi tự động; không trả lời thư này.")
    return "\n".join(lines) + "\n"


def webhook_payload(changes: NightChanges) -> dict:
    keys = ("agency_code", "agency_name", "rule_code", "family", "before", "after", "change", "evidence_url",
            "evidence_before", "note")
    site = lambda s: {"agency_code": s.agency_code, "agency_name": s.agency_name, "reason": s.reason,  # noqa: E731
                      "portal_url": s.portal_url, "score_before": s.score_before, "score_after": s.score_after}
    return {"night": changes.night.isoformat(), "audit": changes.audit_id, "previous_audit": changes.previous_audit_id,
            "regressions": [{k: r.get(k, "") for k in keys} for r in changes.regressions],
            "improvements": [{k: r.get(k, "") for k in keys} for r in changes.improvements],
            "unreachable": [site(s) for s in changes.lost], "recovered": [site(s) for s in changes.recovered]}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_email(settings: dict, recipients: list[str], changes: NightChanges) -> None:
    message = EmailMessage()
    message["Subject"] = subject(changes)
    message["From"] = settings.get("notify.email_from", "minhbach@localhost")
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="minhbach")
    message.set_content(email_text(changes))  # UTF-8, NFC text as the rules wrote it
    host, port = settings.get("notify.smtp_host", "127.0.0.1"), settings.get("notify.smtp_port", 25)
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        if settings.get("notify.smtp_starttls"):
            smtp.starttls()
        username = settings.get("notify.smtp_username")
        if username:
            smtp.login(username, os.environ.get("MINHBACH_SMTP_PASSWORD") or settings.get("notify.smtp_password", ""))
        smtp.send_message(message)


def post_webhook(url: str, secret: str, changes: NightChanges) -> None:
    body = json.dumps(webhook_payload(changes), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "minhbach-nightly",
        "X-Minhbach-Signature": signature(secret, body)})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def notify(changes: NightChanges, settings: dict) -> list[str]:
    """Send what the settings ask for; returns one line per message sent or failed."""
    if changes.previous_audit_id is None or not changes.worth_telling():
        return []
    sent = []
    deliveries = []
    if settings.get("notify.email_to"):
        deliveries.append((list(settings["notify.email_to"]), changes))
    for code, recipients in (settings.get("notify.agency_email") or {}).items():
        own = changes.only(code)
        if recipients and own.worth_telling():
            deliveries.append((list(recipients), own))
    for recipients, content in deliveries:
        try:
            send_email(settings, recipients, content)
            sent.append(f"e-mail to {', '.join(recipients)}")
        except (OSError, smtplib.SMTPException) as error:
            log.error("e-mail to %s not sent: %s", ", ".join(recipients), error)
            sent.append(f"e-mail to {', '.join(recipients)} FAILED: {error}")
    url = settings.get("notify.webhook_url")
    if url:
        secret = os.environ.get("MINHBACH_WEBHOOK_SECRET") or settings.get("notify.webhook_secret", "")
        try:
            post_webhook(url, secret, changes)
            sent.append(f"webhook {url}")
        except (OSError, ValueError) as error:
            log.error("webhook %s not sent: %s", url, error)
            sent.append(f"webhook {url} FAILED: {error}")
    for line in sent:
        log.info("notification: %s", line)
    return sent
