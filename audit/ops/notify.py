"""After a night: tell people what got worse, in their language, by e-mail (SMTP) and by a signed
webhook. Nothing is sent when nothing changed, and a failure to send is logged, never fatal:
the night's results are in the store and its folder either way."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from minhbach.audit.judge.changes import SiteChange
from minhbach.audit.words.i18n import _, ngettext
from minhbach.audit.words.names import outcome_name, rule_title
from minhbach.audit.words.reasons import reason_text
from minhbach.rules.registry import all_rules

log = logging.getLogger("minhbach.nightly")


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
    def rule_changes(self) -> list[dict]:
        """Findings judged again because their rule changed: never the site's regression."""
        return [r for r in self.rows if r["change"] == "rule_changed"]

    @property
    def lost(self) -> list[SiteChange]:
        return [s for s in self.sites if s.reachable == "lost"]

    @property
    def recovered(self) -> list[SiteChange]:
        return [s for s in self.sites if s.reachable == "recovered"]

    def worth_telling(self) -> bool:
        return bool(self.regressions or self.lost or self.recovered)

    def only(self, agency_code: str) -> NightChanges:
        return NightChanges(self.night, self.audit_id, self.previous_audit_id,
                            [r for r in self.rows if r["agency_code"] == agency_code],
                            [s for s in self.sites if s.agency_code == agency_code])


def _rule_title(code: str) -> str:
    rule = all_rules().get(code)
    return rule_title(rule) if rule else code


def subject(changes: NightChanges) -> str:
    parts = [ngettext("{n} rule got worse", "{n} rules got worse", len(changes.regressions))]
    if changes.lost:
        parts.append(ngettext("{n} site unreachable", "{n} sites unreachable", len(changes.lost)))
    if changes.recovered:
        parts.append(ngettext("{n} site reachable again", "{n} sites reachable again", len(changes.recovered)))
    counts = (len(changes.regressions), len(changes.lost), len(changes.recovered))
    return (_("[minhbach] The night of {date}: ").format(date=f"{changes.night:%d/%m/%Y}")
            + ", ".join(part.format(n=n) for part, n in zip(parts, counts)))


def email_text(changes: NightChanges) -> str:
    lines = [_("Portal checks of the night of {date} (audit {audit}, compared with audit {previous}).").format(
        date=f"{changes.night:%d/%m/%Y}", audit=changes.audit_id, previous=changes.previous_audit_id), ""]
    if changes.regressions:
        lines.append(_("Rules that got worse ({n}):").format(n=len(changes.regressions)))
        for row in changes.regressions:
            lines.append(f"- {row['agency_name']} ({row['agency_code']}) – {row['rule_code']} "
                         f"{_rule_title(row['rule_code'])}: "
                         f"{outcome_name(row['before'])} → {outcome_name(row['after'])}")
            if row.get("note"):
                lines.append(f"  {row['note']}")
            if row.get("evidence_url"):
                lines.append("  " + _("Evidence: {url}").format(url=row["evidence_url"]))
            elif row.get("evidence_before"):
                lines.append("  " + _("Was found before at: {url}").format(url=row["evidence_before"]))
        lines.append("")
    if changes.lost:
        lines.append(_("Sites newly unreachable ({n}):").format(n=len(changes.lost)))
        for site in changes.lost:
            lines.append(f"- {site.agency_name} ({site.agency_code}): {reason_text(site.reason) or _('unreachable')}")
            lines.append("  " + _("Address: {url}").format(url=site.portal_url))
        lines.append("")
    if changes.recovered:
        lines.append(_("Sites reachable again ({n}):").format(n=len(changes.recovered)))
        for site in changes.recovered:
            score = (": " + _("{score} points, {grade}").format(score=f"{site.score_after:.1f}", grade=site.grade_after)
                     if site.score_after is not None else "")
            lines.append(f"- {site.agency_name} ({site.agency_code}){score}")
            lines.append("  " + _("Address: {url}").format(url=site.portal_url))
        lines.append("")
    if changes.improvements:
        lines.append(_("Besides, {n} rules got better.").format(n=len(changes.improvements)))
        lines.append("")
    if changes.rule_changes:
        lines.append(_("{n} findings were judged again by rules that changed (a change of minhbach, not of the "
                       "sites).").format(n=len(changes.rule_changes)))
        lines.append("")
    lines.append(_("Details: minhbach diff --to {audit}; minhbach report --agency CODE").format(audit=changes.audit_id))
    lines.append(_("minhbach sent this message by itself; do not answer it."))
    return "\n".join(lines) + "\n"


def webhook_payload(changes: NightChanges) -> dict:
    keys = ("agency_code", "agency_name", "rule_code", "family", "before", "after", "change", "evidence_url",
            "evidence_before", "note")
    site = lambda s: {"agency_code": s.agency_code, "agency_name": s.agency_name,  # noqa: E731
                      "reason": reason_text(s.reason), "reason_code": s.reason,
                      "portal_url": s.portal_url, "score_before": s.score_before, "score_after": s.score_after}
    return {"night": changes.night.isoformat(), "audit": changes.audit_id, "previous_audit": changes.previous_audit_id,
            "regressions": [{k: r.get(k, "") for k in keys} for r in changes.regressions],
            "improvements": [{k: r.get(k, "") for k in keys} for r in changes.improvements],
            "unreachable": [site(s) for s in changes.lost], "recovered": [site(s) for s in changes.recovered]}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_email(settings, recipients: list[str], changes: NightChanges) -> None:
    message = EmailMessage()
    message["Subject"] = subject(changes)
    message["From"] = settings.email_from
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="minhbach")
    message.set_content(email_text(changes))  # UTF-8, NFC text as the rules wrote it
    host, port = settings.smtp_host, settings.smtp_port
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        username = settings.smtp_username
        if username:
            smtp.login(username, settings.smtp_password)
        smtp.send_message(message)


def post_webhook(url: str, secret: str, changes: NightChanges) -> None:
    body = json.dumps(webhook_payload(changes), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "minhbach-nightly",
        "X-Minhbach-Signature": signature(secret, body)})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def notify(changes: NightChanges, settings) -> list[str]:
    """Send what the settings ask for; returns one line per message sent or failed."""
    if changes.previous_audit_id is None or not changes.worth_telling():
        return []
    sent = []
    deliveries = []
    if settings.email_to:
        deliveries.append((list(settings.email_to), changes))
    for code, recipients in settings.agency_email.items():
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
    url = settings.webhook_url
    if url:
        secret = settings.webhook_secret
        try:
            post_webhook(url, secret, changes)
            sent.append(f"webhook {url}")
        except (OSError, ValueError) as error:
            log.error("webhook %s not sent: %s", url, error)
            sent.append(f"webhook {url} FAILED: {error}")
    for line in sent:
        log.info("notification: %s", line)
    return sent
