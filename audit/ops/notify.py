"""After a night: tell people what got worse, in their language (`[notify] language`), by e-mail
(SMTP) and by a signed webhook, each message with the address of the dashboard page of what it
reports (`[web] base_url`), never a command to run. Nothing is sent when nothing changed, and a
failure to send is logged, never fatal: the night's results are in the store and its folder
either way. A night the crawler could not reach the network is one alarm to the operators
(`alert_operators`) and nothing to the agencies."""
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
from minhbach.audit.words.i18n import _, in_language, ngettext
from minhbach.audit.words.names import outcome_name, rule_title
from minhbach.audit.words.reasons import Reason, reason_text
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
    notes: list[Reason] = field(default_factory=list)   # the rubric or its version changed (judge/changes.py)

    @property
    def rubric_change(self) -> Reason | None:
        """Set when the night's rubric is not the previous night's: nothing is compared."""
        return next((note for note in self.notes if note["kind"] == "rubric_changed"), None)

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
        return bool(self.regressions or self.lost or self.recovered or self.rubric_change)

    def only(self, agency_code: str) -> NightChanges:
        """An agency's own part (a change of rubric is the province's to tell, not each agency's)."""
        return NightChanges(self.night, self.audit_id, self.previous_audit_id,
                            [r for r in self.rows if r["agency_code"] == agency_code],
                            [s for s in self.sites if s.agency_code == agency_code],
                            [n for n in self.notes if n["kind"] != "rubric_changed"])


def page_url(base_url: str, path: str) -> str:
    """The dashboard page `path` (with its query) under `[web] base_url`, or "" without one."""
    return base_url.rstrip("/") + path if base_url else ""


def _rule_title(code: str) -> str:
    rule = all_rules().get(code)
    return rule_title(rule) if rule else code


def subject(changes: NightChanges) -> str:
    if changes.rubric_change:
        return (_("[minhbach] The night of {date}: ").format(date=f"{changes.night:%d/%m/%Y}")
                + reason_text(changes.rubric_change).split(";")[0])
    parts = [ngettext("{n} rule got worse", "{n} rules got worse", len(changes.regressions))]
    if changes.lost:
        parts.append(ngettext("{n} site unreachable", "{n} sites unreachable", len(changes.lost)))
    if changes.recovered:
        parts.append(ngettext("{n} site reachable again", "{n} sites reachable again", len(changes.recovered)))
    counts = (len(changes.regressions), len(changes.lost), len(changes.recovered))
    return (_("[minhbach] The night of {date}: ").format(date=f"{changes.night:%d/%m/%Y}")
            + ", ".join(part.format(n=n) for part, n in zip(parts, counts)))


def email_text(changes: NightChanges, base_url: str = "") -> str:
    if changes.rubric_change:
        lines = [_("Portal checks of the night of {date} (audit {audit}).").format(
            date=f"{changes.night:%d/%m/%Y}", audit=changes.audit_id), "", reason_text(changes.rubric_change) + ".", ""]
        return _closing(lines, page_url(base_url, f"/?audit={changes.audit_id}"))
    lines = [_("Portal checks of the night of {date} (audit {audit}, compared with audit {previous}).").format(
        date=f"{changes.night:%d/%m/%Y}", audit=changes.audit_id, previous=changes.previous_audit_id), ""]
    lines += [reason_text(note) + "." for note in changes.notes] + ([""] if changes.notes else [])
    agency_page = lambda code: page_url(base_url, f"/agency/{code}?audit={changes.audit_id}")  # noqa: E731
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
    agencies = sorted({r["agency_code"] for r in changes.regressions} | {s.agency_code for s in changes.sites
                                                                          if s.reachable})
    if base_url and agencies:
        lines.append(_("Each agency's page on the dashboard:"))
        lines += [f"- {code}: {agency_page(code)}" for code in agencies]
        lines.append("")
    return _closing(lines, page_url(base_url, f"/changes?before={changes.previous_audit_id}&after={changes.audit_id}"))


def _closing(lines: list[str], url: str) -> str:
    """The last lines: where to read more (the dashboard), and that nobody reads answers."""
    lines.append(_("Details on the dashboard: {url}").format(url=url) if url
                 else _("Details: the dashboard's Changes page."))
    lines.append(_("minhbach sent this message by itself; do not answer it."))
    return "\n".join(lines) + "\n"


def alert_subject(night: date) -> str:
    return _("[minhbach] The night of {date}: nothing collected, the crawler could not reach the network").format(
        date=f"{night:%d/%m/%Y}")


def alert_text(night: date, audit_id: int | None, failure: Reason, base_url: str = "") -> str:
    """The operators' alarm: what failed, that the agencies were told nothing, what is left out."""
    lines = [_("The crawl of the night of {date} collected nothing: {why}.").format(
                 date=f"{night:%d/%m/%Y}", why=reason_text(failure)), "",
             _("This is most likely a fault of the crawler's machine or of its network, not of the agencies' "
               "sites. No notice was sent to the agencies, and this night (audit {audit}) is left out of the "
               "history, the changes and the monthly report.").format(audit=audit_id), ""]
    return _closing(lines, page_url(base_url, "/runs"))


def webhook_payload(changes: NightChanges) -> dict:
    keys = ("agency_code", "agency_name", "rule_code", "family", "before", "after", "change", "evidence_url",
            "evidence_before", "note")
    site = lambda s: {"agency_code": s.agency_code, "agency_name": s.agency_name,  # noqa: E731
                      "reason": reason_text(s.reason), "reason_code": s.reason,
                      "portal_url": s.portal_url, "score_before": s.score_before, "score_after": s.score_after}
    return {"event": "night_changes", "night": changes.night.isoformat(), "audit": changes.audit_id,
            "previous_audit": changes.previous_audit_id,
            "notes": [{"reason_code": n, "text": reason_text(n)} for n in changes.notes],
            "regressions": [{k: r.get(k, "") for k in keys} for r in changes.regressions],
            "improvements": [{k: r.get(k, "") for k in keys} for r in changes.improvements],
            "unreachable": [site(s) for s in changes.lost], "recovered": [site(s) for s in changes.recovered]}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_email(settings, recipients: list[str], changes: NightChanges, base_url: str = "") -> None:
    with in_language(settings.language):
        send_message(settings, recipients, subject(changes), email_text(changes, base_url))


def send_message(settings, recipients: list[str], title: str, text: str) -> None:
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = settings.email_from
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="minhbach")
    message.set_content(text)  # UTF-8, NFC text as the rules wrote it
    host, port = settings.smtp_host, settings.smtp_port
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        username = settings.smtp_username
        if username:
            smtp.login(username, settings.smtp_password)
        smtp.send_message(message)


def post_webhook(url: str, secret: str, payload: dict) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "minhbach-nightly",
        "X-Minhbach-Signature": signature(secret, body)})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


# Said to the operator (the night's summary and log), in the operator's language.
def _sent(recipients: list[str]) -> str:
    return _("e-mail to {recipients}").format(recipients=", ".join(recipients))


def _not_sent(recipients: list[str], error: BaseException) -> str:
    return _("e-mail to {recipients} NOT SENT: {error}").format(recipients=", ".join(recipients), error=error)


def _deliver(settings, deliveries: list[tuple[list[str], str, str]], payload: dict) -> list[str]:
    """Send each (recipients, subject, text) and the webhook; one line per message, sent or not."""
    sent = []
    for recipients, title, text in deliveries:
        try:
            send_message(settings, recipients, title, text)
            sent.append(_sent(recipients))
        except (OSError, smtplib.SMTPException) as error:
            log.error("e-mail to %s not sent: %s", ", ".join(recipients), error)
            sent.append(_not_sent(recipients, error))
    url = settings.webhook_url
    if url:
        try:
            post_webhook(url, settings.webhook_secret, payload)
            sent.append(_("webhook {url}").format(url=url))
        except (OSError, ValueError) as error:
            log.error("webhook %s not sent: %s", url, error)
            sent.append(_("webhook {url} NOT SENT: {error}").format(url=url, error=error))
    for line in sent:
        log.info("notification: %s", line)
    return sent


def notify(changes: NightChanges, settings, base_url: str = "") -> list[str]:
    """Send what the settings ask for; returns one line per message sent or failed."""
    if changes.previous_audit_id is None or not changes.worth_telling():
        return []
    deliveries = []
    with in_language(settings.language):  # the recipients' words
        if settings.email_to:
            deliveries.append((list(settings.email_to), subject(changes), email_text(changes, base_url)))
        for code, recipients in settings.agency_email.items():
            own = changes.only(code)
            if recipients and own.worth_telling():
                deliveries.append((list(recipients), subject(own), email_text(own, base_url)))
        payload = webhook_payload(changes)
    return _deliver(settings, deliveries, payload)


def alert_operators(night: date, audit_id: int | None, failure: Reason, settings, base_url: str = "") -> list[str]:
    """One alarm to the operators (`operator_email`, else `email_to`) and the webhook; the agencies'
    addresses are never written to."""
    recipients = list(settings.operator_email or settings.email_to)
    with in_language(settings.language):
        deliveries = ([(recipients, alert_subject(night), alert_text(night, audit_id, failure, base_url))]
                      if recipients else [])
        payload = {"event": "collection_failure", "night": night.isoformat(), "audit": audit_id,
                   "reason_code": failure, "text": reason_text(failure)}
    return _deliver(settings, deliveries, payload)
