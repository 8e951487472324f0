"""Subscribers and delivery settings in watchlist.yaml: validated, one-line errors naming the key path."""

from datetime import time

import pytest

from clausewatch.config import parse_watchlist
from clausewatch.errors import ConfigError

BASE = "documents:\n  - {service: LinkedIn, type: Privacy Policy, url: 'https://example.org/p', tags: [social]}\n"

FULL = BASE + """
delivery:
  site_url: https://cw.example.org/
  smtp: {host: smtp.example.org, port: 465, security: ssl, sender: "cw <alerts@example.org>"}
subscribers:
  - name: ai-desk
    channels:
      email: [desk@example.org, night@example.org]
      webhook: {url: https://hooks.example.org/cw, secret_env: CW_HOOK_SECRET}
      atom: feeds/ai-desk.xml
    filter: {services: LinkedIn, tags: [social], classes: [ai], labels: [trains_on_user_data]}
    cadence: weekly
    at: "07:30"
    weekday: fri
    timezone: Europe/Berlin
  - name: everything
    channels: {webhook: "https://hooks.example.org/all"}
"""


def test_full_subscriber_is_parsed_into_records():
    wl = parse_watchlist(FULL)
    desk, everything = wl.subscribers
    assert desk.email == ("desk@example.org", "night@example.org")
    assert desk.webhook.url == "https://hooks.example.org/cw" and desk.webhook.secret_env == "CW_HOOK_SECRET"
    assert desk.atom == "feeds/ai-desk.xml"
    assert desk.channels == ("email", "webhook", "atom")
    assert desk.filter.services == ("LinkedIn",)
    assert desk.filter.classes == ("AI_CLAUSE_ADDED", "AI_CLAUSE_REMOVED", "AI_CLAUSE_CHANGED")
    assert desk.filter.labels == ("TRAINS_ON_USER_DATA",)
    assert (desk.cadence, desk.at, desk.weekday, desk.timezone) == ("weekly", time(7, 30), 4, "Europe/Berlin")
    assert everything.channels == ("webhook",) and everything.cadence == "after_run" and everything.at == time(7, 0)
    assert wl.delivery.site_url == "https://cw.example.org"
    assert wl.delivery.smtp.effective_port == 465 and wl.delivery.smtp.security == "ssl"


def test_unquoted_yaml_time_is_read_as_a_time():
    # YAML 1.1 turns an unquoted 07:30 into the integer 450 (sexagesimal).
    wl = parse_watchlist(BASE + "subscribers:\n  - {name: x, channels: {email: a@b.org}, at: 07:30}\n")
    assert wl.subscribers[0].at == time(7, 30)


def test_filter_matches_and_never_lets_noise_through():
    desk = parse_watchlist(FULL).subscribers[0]
    ok = dict(service="linkedin", tags=["social"], cls="AI_CLAUSE_ADDED", labels=["TRAINS_ON_USER_DATA"])
    assert desk.filter.matches(**ok)
    assert not desk.filter.matches(**{**ok, "service": "Slack"})
    assert not desk.filter.matches(**{**ok, "tags": ["workplace"]})
    assert not desk.filter.matches(**{**ok, "cls": "SUBSTANTIVE_OTHER"})
    assert not desk.filter.matches(**{**ok, "labels": ["AI_FEATURE_TERMS"]})
    everything = parse_watchlist(FULL).subscribers[1]
    assert everything.filter.matches(service="X", tags=[], cls="SUBSTANTIVE_OTHER", labels=[])
    assert not everything.filter.matches(service="X", tags=[], cls="NOISE_FORMATTING", labels=[])


@pytest.mark.parametrize("yaml_text, message", [
    ("subscribers:\n  - {name: x, channels: {email: a@b.org}, cadence: hourly}\n",
     "watchlist.yaml: subscribers[0].cadence: unknown 'hourly' (known: after_run, daily, weekly)"),
    ("subscribers:\n  - {name: x, channels: {email: a@b.org, fax: 1}}\n",
     "watchlist.yaml: subscribers[0].channels.fax: unknown key 'fax' (known: atom, email, webhook)"),
    ("subscribers:\n  - {name: x, channels: {}}\n",
     "watchlist.yaml: subscribers[0].channels: give at least one of email, webhook, atom"),
    ("subscribers:\n  - {name: x, channels: {email: desk}}\n",
     "watchlist.yaml: subscribers[0].channels.email: 'desk' is not an e-mail address"),
    ("subscribers:\n  - {name: x, channels: {email: a@b.org}, filter: {classes: [NOISE_REPEAT]}}\n",
     "watchlist.yaml: subscribers[0].filter.classes: unknown 'NOISE_REPEAT' (noise is never delivered) "
     "(known: ai, substantive, AI_CLAUSE_ADDED, AI_CLAUSE_REMOVED, AI_CLAUSE_CHANGED, SUBSTANTIVE_OTHER)"),
    ("subscribers:\n  - {name: x, channels: {email: a@b.org}, filter: {servics: [A]}}\n",
     "watchlist.yaml: subscribers[0].filter.servics: unknown key 'servics' (known: classes, labels, services, tags)"),
    ("subscribers:\n  - {name: x, channels: {email: a@b.org}, timezone: Europe/Berln}\n",
     "watchlist.yaml: subscribers[0].timezone: unknown time zone 'Europe/Berln' "
     "(use an IANA name such as Europe/Berlin or UTC)"),
    ("subscribers:\n  - {name: x, channels: {email: a@b.org}, weekday: someday}\n",
     "watchlist.yaml: subscribers[0].weekday: unknown 'someday' "
     "(known: monday, tuesday, wednesday, thursday, friday, saturday, sunday)"),
    ("subscribers:\n  - {name: x, channels: {atom: a.xml}}\n  - {name: X, channels: {atom: b.xml}}\n",
     "watchlist.yaml: subscribers[1].name: 'X' is already used by subscribers[0]"),
    ("subscribers:\n  - {name: x, channels: {webhook: {url: 'https://h.example/x', secret: abc}}}\n",
     "watchlist.yaml: subscribers[0].channels.webhook: 'secret': secrets never go in the watchlist; use 'secret_env'"),
    ("subscribers:\n  - {name: x, channels: {webhook: 'ftp://h.example/x'}}\n",
     "watchlist.yaml: subscribers[0].channels.webhook.url: 'ftp://h.example/x' is not an http(s) URL"),
    ("delivery:\n  smtp: {host: h, password: hunter2}\n",
     "watchlist.yaml: delivery.smtp: 'password': secrets never go in the watchlist; "
     "name an environment variable with 'password_env' instead"),
    ("delivery:\n  smtp: {host: h, security: tls2}\n",
     "watchlist.yaml: delivery.smtp.security: unknown 'tls2' (known: none, ssl, starttls)"),
    ("delivery:\n  smtp: {host: h, password_env: 'not a name'}\n",
     "watchlist.yaml: delivery.smtp.password_env: 'not a name' is not an environment variable name"),
])
def test_errors_name_the_key_path_and_choices(yaml_text, message):
    with pytest.raises(ConfigError) as info:
        parse_watchlist(BASE + yaml_text)
    assert str(info.value) == message
