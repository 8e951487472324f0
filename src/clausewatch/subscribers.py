"""Digest subscribers and delivery settings in watchlist.yaml → validated, frozen records.

``config.py`` validates these models as part of the watchlist, so their errors come out in the
same one-line form (file, key path, choices)::

    watchlist.yaml: subscribers[0].cadence: unknown 'hourly' (known: after_run, daily, weekly)

The YAML::

    delivery:                        # optional; what every subscriber's mail and feeds share
      site_url: https://cw.example.org     # the static site (links in digests); None = no links
      feeds_dir: feeds                     # per-service Atom feeds are written here
      templates: my-templates              # a folder of digest_*.j2 that override the defaults
      smtp:
        host: smtp.example.org
        port: 465
        security: ssl                      # ssl | starttls | none
        sender: "clausewatch <alerts@example.org>"
        username_env: CLAUSEWATCH_SMTP_USER      # names of environment variables, never the secrets
        password_env: CLAUSEWATCH_SMTP_PASSWORD

    subscribers:
      - name: ai-desk
        channels:
          email: [desk@example.org]
          webhook: {url: https://hooks.example.org/cw, secret_env: CLAUSEWATCH_WEBHOOK_SECRET}
          atom: feeds/ai-desk.xml
        filter:                            # every key optional; () = everything that is not noise
          services: [LinkedIn, Slack]
          tags: [social]
          classes: [ai]                    # ai | AI_CLAUSE_ADDED | … | SUBSTANTIVE_OTHER
          labels: [TRAINS_ON_USER_DATA]
        cadence: daily                     # after_run | daily | weekly
        at: "07:30"                        # local time of the daily / weekly digest
        weekday: monday                    # weekly only
        timezone: Europe/Berlin
        failing: true                      # include documents whose checks keep failing
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .clauses import LABELS
from .compare import ChangeClass
from .errors import ConfigError

CADENCES = ("after_run", "daily", "weekly")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
AI_CLASSES = tuple(str(c) for c in ChangeClass if c.is_ai)
# Noise classes are never delivered, so a filter cannot ask for them.
DIGEST_CLASSES = tuple(str(c) for c in ChangeClass if not c.is_noise)
CLASS_SHORTHANDS = {"ai": AI_CLASSES, "substantive": ("SUBSTANTIVE_OTHER",)}
SECURITIES = ("none", "ssl", "starttls")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SECRET_KEYS = ("password", "secret", "token", "username", "user")


# --- records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """Which changes a subscriber wants; an empty tuple means "any"."""

    services: tuple[str, ...] = ()  # service names, case-insensitive; () = every service
    tags: tuple[str, ...] = ()  # document tags; () = any tags (a document matches if it has one of them)
    classes: tuple[str, ...] = ()  # change classes; () = every class that is not noise
    labels: tuple[str, ...] = ()  # clause labels a change's AI deltas must touch; () = no label condition

    def matches(self, *, service: str, tags: tuple[str, ...] | list[str], cls: str,
                labels: tuple[str, ...] | list[str]) -> bool:
        if cls not in DIGEST_CLASSES:
            return False  # noise is never delivered, whatever the filter says
        if self.services and service.casefold() not in {s.casefold() for s in self.services}:
            return False
        if self.tags and not set(self.tags) & set(tags):
            return False
        if self.classes and cls not in self.classes:
            return False
        return not self.labels or bool(set(self.labels) & set(labels))


@dataclass(frozen=True)
class Webhook:
    url: str
    secret_env: str | None = None  # the environment variable holding the HMAC key; None = unsigned


@dataclass(frozen=True)
class Subscriber:
    """One digest subscriber (watchlist ``subscribers:``)."""

    name: str  # unique; the ledger's key for this subscriber
    email: tuple[str, ...] = ()
    webhook: Webhook | None = None  # None = no webhook
    atom: str | None = None  # path of this subscriber's Atom feed; None = no feed
    filter: Filter = field(default_factory=Filter)
    cadence: str = "after_run"
    at: time = time(7, 0)  # local time of a daily / weekly digest
    weekday: int = 0  # 0 = Monday (weekly only)
    timezone: str = "UTC"
    failing: bool = True  # list documents whose checks keep failing

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels this subscriber receives, in a fixed order."""
        out = []
        if self.email:
            out.append("email")
        if self.webhook:
            out.append("webhook")
        if self.atom:
            out.append("atom")
        return tuple(out)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Smtp:
    """How digests are mailed.  Credentials come only from the environment variables named here."""

    host: str = "localhost"
    port: int | None = None  # None = 465 for ssl, 587 for starttls, 25 otherwise
    security: str = "starttls"
    sender: str = "clausewatch <clausewatch@localhost>"
    username_env: str = "CLAUSEWATCH_SMTP_USER"
    password_env: str = "CLAUSEWATCH_SMTP_PASSWORD"
    timeout_s: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587}.get(self.security, 25)


@dataclass(frozen=True)
class Delivery:
    """Watchlist ``delivery:``: what every subscriber's messages and feeds share."""

    smtp: Smtp = field(default_factory=Smtp)
    site_url: str | None = None  # base URL of the static site; None = digests carry no site links
    feeds_dir: str = "feeds"  # per-service Atom feeds (relative paths are relative to the working directory)
    templates: str | None = None  # a folder whose templates override the defaults; None = the defaults


# --- pydantic models (validated by config.py) -----------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _names(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"expected {what} or a list of them")
    return tuple(v.strip() for v in value)


def _no_secrets(data: Any, where: str) -> Any:
    if isinstance(data, dict):
        for key in data:
            if str(key).casefold() in _SECRET_KEYS:
                raise ValueError(f"'{key}': secrets never go in the watchlist; name an environment variable "
                                 f"with '{key}_env' instead" if where == "smtp" else
                                 f"'{key}': secrets never go in the watchlist; use 'secret_env'")
    return data


def _env_name(v: str | None) -> str | None:
    if v is not None and not _ENV_NAME.fullmatch(v):
        raise ValueError(f"'{v}' is not an environment variable name")
    return v


class WebhookModel(_Strict):
    url: str
    secret_env: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _secrets(cls, data: Any) -> Any:
        return _no_secrets(data, "webhook")

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"'{v}' is not an http(s) URL")
        return v.strip()

    @field_validator("secret_env")
    @classmethod
    def _env(cls, v: str | None) -> str | None:
        return _env_name(v)


class ChannelsModel(_Strict):
    email: Any = Field(default=(), validate_default=True)
    webhook: WebhookModel | None = None
    atom: str | None = None

    @model_validator(mode="after")
    def _some_channel(self) -> ChannelsModel:
        if not (self.email or self.webhook or self.atom):
            raise ValueError("give at least one of email, webhook, atom")
        return self

    @field_validator("email")
    @classmethod
    def _emails(cls, v: Any) -> tuple[str, ...]:
        out = _names(v, "an e-mail address")
        for address in out:
            if not _EMAIL.fullmatch(address):
                raise ValueError(f"'{address}' is not an e-mail address")
        return out

    @field_validator("webhook", mode="before")
    @classmethod
    def _webhook(cls, v: Any) -> Any:
        return {"url": v} if isinstance(v, str) else v

    @field_validator("atom")
    @classmethod
    def _atom(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("must not be empty")
        return v.strip() if v else v


class FilterModel(_Strict):
    services: Any = Field(default=(), validate_default=True)
    tags: Any = Field(default=(), validate_default=True)
    classes: Any = Field(default=(), validate_default=True)
    labels: Any = Field(default=(), validate_default=True)

    @field_validator("services", "tags")
    @classmethod
    def _plain(cls, v: Any) -> tuple[str, ...]:
        return _names(v, "a name")

    @field_validator("classes")
    @classmethod
    def _classes(cls, v: Any) -> tuple[str, ...]:
        out: list[str] = []
        for name in _names(v, "a change class"):
            key = name.casefold()
            if key in CLASS_SHORTHANDS:
                out.extend(CLASS_SHORTHANDS[key])
            elif name.upper() in DIGEST_CLASSES:
                out.append(name.upper())
            else:
                why = " (noise is never delivered)" if name.upper().startswith("NOISE_") else ""
                known = ", ".join([*CLASS_SHORTHANDS, *DIGEST_CLASSES])
                raise ValueError(f"unknown '{name}'{why} (known: {known})")
        return tuple(dict.fromkeys(out))

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: Any) -> tuple[str, ...]:
        out = []
        for name in _names(v, "a clause label"):
            if name.upper() not in LABELS:
                raise ValueError(f"unknown '{name}' (known: {', '.join(LABELS)})")
            out.append(name.upper())
        return tuple(out)


class SubscriberModel(_Strict):
    name: str = Field(min_length=1)
    channels: ChannelsModel
    filter: FilterModel = Field(default_factory=FilterModel)
    cadence: str = "after_run"
    at: Any = Field(default="07:00", validate_default=True)
    weekday: str = "monday"
    timezone: str = "UTC"
    failing: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v.strip()

    @field_validator("cadence")
    @classmethod
    def _cadence(cls, v: str) -> str:
        key = v.strip().casefold().replace("-", "_").replace(" ", "_")
        if key not in CADENCES:
            raise ValueError(f"unknown '{v}' (known: {', '.join(CADENCES)})")
        return key

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, v: Any) -> time:
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 24 * 60:
            # YAML 1.1 reads an unquoted 07:30 as the sexagesimal integer 450.
            return time(v // 60, v % 60)
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(v))
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(f"'{v}' is not a time of day (use HH:MM, e.g. \"07:30\")")
        return time(int(match[1]), int(match[2]))

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, v: str) -> str:
        key = v.strip().casefold()
        for day in WEEKDAYS:
            if key in (day, day[:3]):
                return day
        raise ValueError(f"unknown '{v}' (known: {', '.join(WEEKDAYS)})")

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{v}' (use an IANA name such as Europe/Berlin or UTC)") from None
        return v.strip()



class SmtpModel(_Strict):
    host: str = Field(default="localhost", min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    security: str = "starttls"
    sender: str = "clausewatch <clausewatch@localhost>"
    username_env: str = "CLAUSEWATCH_SMTP_USER"
    password_env: str = "CLAUSEWATCH_SMTP_PASSWORD"
    timeout: float = Field(default=30.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _secrets(cls, data: Any) -> Any:
        return _no_secrets(data, "smtp")

    @field_validator("security")
    @classmethod
    def _security(cls, v: str) -> str:
        key = v.strip().casefold()
        key = {"tls": "ssl", "smtps": "ssl", "plain": "none"}.get(key, key)
        if key not in SECURITIES:
            raise ValueError(f"unknown '{v}' (known: {', '.join(SECURITIES)})")
        return key

    @field_validator("sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        if not _EMAIL.search(v):
            raise ValueError(f"'{v}' has no e-mail address")
        return v.strip()

    @field_validator("username_env", "password_env")
    @classmethod
    def _env(cls, v: str) -> str:
        return _env_name(v)


class DeliveryModel(_Strict):
    smtp: SmtpModel = Field(default_factory=SmtpModel)
    site_url: str | None = None
    feeds_dir: str = "feeds"
    templates: str | None = None

    @field_validator("site_url")
    @classmethod
    def _site(cls, v: str | None) -> str | None:
        if v is None:
            return None
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https", "file") or not (parts.netloc or parts.path):
            raise ValueError(f"'{v}' is not an http(s) URL")
        return v.strip().rstrip("/")


# Which model a key path ends in, for config.py's "unknown key (known: …)" messages.
KNOWN_KEYS: dict[str, type[BaseModel]] = {
    "subscribers": SubscriberModel,
    "channels": ChannelsModel,
    "webhook": WebhookModel,
    "filter": FilterModel,
    "delivery": DeliveryModel,
    "smtp": SmtpModel,
}


# --- models → records -----------------------------------------------------------------------------


def build_subscribers(models: list[SubscriberModel], name: str = "watchlist.yaml") -> tuple[Subscriber, ...]:
    out: list[Subscriber] = []
    seen: dict[str, int] = {}
    for i, m in enumerate(models):
        key = m.name.casefold()
        if key in seen:
            raise ConfigError(f"{name}: subscribers[{i}].name: '{m.name}' is already used by subscribers[{seen[key]}]")
        seen[key] = i
        hook = m.channels.webhook
        f = m.filter
        out.append(Subscriber(
            name=m.name,
            email=m.channels.email,
            webhook=Webhook(url=hook.url, secret_env=hook.secret_env) if hook else None,
            atom=m.channels.atom,
            filter=Filter(services=f.services, tags=f.tags, classes=f.classes, labels=f.labels),
            cadence=m.cadence,
            at=m.at,
            weekday=WEEKDAYS.index(m.weekday),
            timezone=m.timezone,
            failing=m.failing,
        ))
    return tuple(out)


def build_delivery(model: DeliveryModel | None) -> Delivery:
    model = model or DeliveryModel()
    s = model.smtp
    return Delivery(
        smtp=Smtp(host=s.host, port=s.port, security=s.security, sender=s.sender, username_env=s.username_env,
                  password_env=s.password_env, timeout_s=s.timeout),
        site_url=model.site_url,
        feeds_dir=model.feeds_dir,
        templates=model.templates,
    )
