"""watchlist.yaml → a validated ``Watchlist``.

The file has three top-level keys (only ``documents`` is required)::

    settings:    {interval: 24h, timeout: 30, …}      defaults for every document
    tags:        {social: {interval: 12h}}            per-tag overrides
    documents:   [{service, type, url, …}, …]
    subscribers: [...]                                 digest subscribers (validated by the digest module)

Validation is pydantic with unknown keys forbidden; every error is turned into one line that
names the file, the key path and, where there is a closed set, the valid choices::

    watchlist.yaml: documents[3].fetcher: unknown 'brower' (known: auto, browser, http)
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from . import subscribers as subs
from .errors import ConfigError
from .models import DocumentSpec, Fetcher

DEFAULT_INTERVAL_HOURS = 24.0
CONTACT = "clausewatch policy monitor; +https://github.com/clausewatch/clausewatch"


def _hours(value: Any) -> float:
    """'90m', '6h', '1d', '2w' or a number of hours → hours."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 6h, 1d or 30m")
    if isinstance(value, int | float):
        hours = float(value)
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*", str(value))
        if not match:
            raise ValueError(f"'{value}' is not a duration (use e.g. 30m, 6h, 1d, 1w)")
        number, unit = float(match[1]), match[2]
        hours = number * {"m": 1 / 60, "h": 1, "d": 24, "w": 168}[unit]
    if hours <= 0:
        raise ValueError("must be longer than zero")
    return hours


def _selectors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("expected a CSS selector or a list of CSS selectors")
    return tuple(v.strip() for v in value)


# Durations in the YAML ('90m', '6h', '1d' or a number of hours), as hours.  Defaults are
# validated too, so a default written as '30m' is a number of hours like any other value.
Hours = Annotated[float, BeforeValidator(_hours), Field(validate_default=True)]
OptionalHours = Annotated[float | None, BeforeValidator(lambda v: None if v is None else _hours(v))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RobotsModel(_Strict):
    ignore: str = Field(min_length=3, description="why robots.txt is overridden for this document")


class DocumentModel(_Strict):
    service: str = Field(min_length=1)
    type: str = Field(min_length=1)
    url: str
    id: str | None = None
    fetcher: Fetcher = Fetcher.AUTO
    select: Any = Field(default=(), validate_default=True)
    remove: Any = Field(default=(), validate_default=True)
    interval: OptionalHours = None
    tags: list[str] = Field(default_factory=list)
    robots: RobotsModel | None = None
    note: str | None = None

    @field_validator("service", "type")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v.strip()

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"'{v}' is not an http(s) URL")
        return v.strip()

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", v):
            raise ValueError(f"'{v}' is not a slug (lower-case letters, digits and '-')")
        return v

    @field_validator("select", "remove")
    @classmethod
    def _css(cls, v: Any) -> tuple[str, ...]:
        return _selectors(v)



class TagModel(_Strict):
    interval: OptionalHours = None


class SettingsModel(_Strict):
    interval: Hours = DEFAULT_INTERVAL_HOURS
    jitter: Hours = "30m"
    timeout: float = Field(default=30.0, gt=0)
    max_bytes: int = Field(default=10_000_000, gt=0)
    contact: str = CONTACT
    browser_executable: str | None = None
    concurrency: int = Field(default=8, ge=1, le=64)
    per_host_delay: float = Field(default=2.0, ge=0)
    failure_threshold: int = Field(default=3, ge=1)
    obey_robots: bool = True


class WatchlistModel(_Strict):
    settings: SettingsModel = Field(default_factory=SettingsModel)
    tags: dict[str, TagModel] = Field(default_factory=dict)
    documents: list[DocumentModel] = Field(min_length=1)
    subscribers: list[subs.SubscriberModel] = Field(default_factory=list)
    delivery: subs.DeliveryModel = Field(default_factory=subs.DeliveryModel)


@dataclass(frozen=True)
class Settings:
    """Run-wide settings (watchlist ``settings:``)."""

    interval_hours: float = DEFAULT_INTERVAL_HOURS
    jitter_hours: float = 0.5
    timeout_s: float = 30.0
    max_bytes: int = 10_000_000
    contact: str = CONTACT
    browser_executable: str | None = None  # None = `chromium` on PATH, else /usr/bin/chromium
    concurrency: int = 8
    per_host_delay_s: float = 2.0
    failure_threshold: int = 3
    obey_robots: bool = True

    def chromium_path(self) -> str:
        return self.browser_executable or shutil.which("chromium") or "/usr/bin/chromium"


@dataclass(frozen=True)
class Watchlist:
    documents: tuple[DocumentSpec, ...]
    settings: Settings = field(default_factory=Settings)
    tag_intervals: dict[str, float] = field(default_factory=dict)
    subscribers: tuple[subs.Subscriber, ...] = ()  # digest subscribers (subscribers.py)
    delivery: subs.Delivery = field(default_factory=subs.Delivery)  # mail / feed settings shared by subscribers
    path: Path | None = None

    def find(self, key: str) -> DocumentSpec | None:
        """A document by id, URL, or 'Service/Type' (case-insensitive)."""
        low = key.casefold()
        for doc in self.documents:
            if low in (doc.id, doc.url.casefold(), f"{doc.service}/{doc.type}".casefold()):
                return doc
        return None

    def interval_for(self, doc: DocumentSpec) -> float:
        """Document interval, else the shortest of its tags' intervals, else the default."""
        if doc.interval_hours is not None:
            return doc.interval_hours
        tagged = [self.tag_intervals[t] for t in doc.tags if t in self.tag_intervals]
        return min(tagged) if tagged else self.settings.interval_hours


def slugify(*parts: str) -> str:
    text = "-".join(parts).casefold()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# --- error messages ------------------------------------------------------------------------

_KNOWN_KEYS = {
    "": WatchlistModel,
    "settings": SettingsModel,
    "documents": DocumentModel,
    "tags": TagModel,
    "robots": RobotsModel,
    **subs.KNOWN_KEYS,
}


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _model_for(loc: tuple) -> type[BaseModel]:
    names = [p for p in loc if isinstance(p, str)]
    if len(names) >= 2 and names[0] == "tags":
        return TagModel
    last = names[-1] if names else ""
    return _KNOWN_KEYS.get(last, WatchlistModel)


def _describe(err: dict) -> str:
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        model = _model_for(loc[:-1])
        known = ", ".join(sorted(model.model_fields))
        return f"{_path(loc)}: unknown key '{loc[-1]}' (known: {known})"
    if kind == "enum":
        known = ", ".join(sorted(f.value for f in Fetcher))
        return f"{_path(loc)}: unknown '{value}' (known: {known})"
    if kind == "missing":
        return f"{_path(loc)}: required key is missing"
    if kind == "too_short" and loc and loc[-1] == "documents":
        return f"{_path(loc)}: list at least one document"
    if kind in ("string_too_short",):
        return f"{_path(loc)}: must not be empty"
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type",
                "float_parsing", "float_type", "int_parsing", "int_type", "bool_parsing", "bool_type"):
        expected = {
            "string_type": "text", "list_type": "a list", "dict_type": "a mapping",
            "model_type": "a mapping", "model_attributes_type": "a mapping",
            "float_parsing": "a number", "float_type": "a number", "int_parsing": "a whole number",
            "int_type": "a whole number", "bool_parsing": "true or false", "bool_type": "true or false",
        }[kind]
        return f"{_path(loc)}: expected {expected}, got {_show(value)}"
    message = err["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
    return f"{_path(loc)}: {message}"


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


# --- loading ---------------------------------------------------------------------------------


def _pure_yaml_error(text: str) -> yaml.MarkedYAMLError | None:
    """The pure-Python loader's error for ``text``: clearer than libyaml's and the same on every machine."""
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        return exc
    return None


def parse_watchlist(text: str, name: str = "watchlist.yaml") -> Watchlist:
    """Parse and validate watchlist YAML text; ``name`` is used in error messages."""
    try:
        # libyaml's C loader when PyYAML has it: 10x faster on a long watchlist, same results.
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as fast_error:
        exc = _pure_yaml_error(text) or fast_error
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}: " if mark else ""
        raise ConfigError(f"{name}: {line}YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: YAML syntax error: {exc}") from None
    if raw is None:
        raise ConfigError(f"{name}: the file is empty (it needs a 'documents:' list)")
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: expected a mapping with a 'documents:' list at the top, got {_show(raw)}")
    try:
        model = WatchlistModel.model_validate(raw)
    except ValidationError as exc:
        # An unknown key usually explains the other problems (a typo'd 'documents'), so say it first.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        first = errors[0]
        more = len(errors) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(f"{name}: {_describe(first)}{suffix}") from None
    return _build(model, name)


def _build(model: WatchlistModel, name: str) -> Watchlist:
    docs: list[DocumentSpec] = []
    seen: dict[str, int] = {}
    for i, d in enumerate(model.documents):
        doc_id = d.id or slugify(d.service, d.type)
        if doc_id in seen:
            raise ConfigError(
                f"{name}: documents[{i}].id: '{doc_id}' is already used by documents[{seen[doc_id]}] "
                "(give one of them an explicit 'id:')"
            )
        seen[doc_id] = i
        docs.append(
            DocumentSpec(
                id=doc_id,
                service=d.service,
                type=d.type,
                url=d.url,
                fetcher=d.fetcher,
                select=d.select,
                remove=d.remove,
                interval_hours=d.interval,
                tags=tuple(d.tags),
                ignore_robots=d.robots.ignore if d.robots else None,
            )
        )
    s = model.settings
    settings = Settings(
        interval_hours=s.interval,
        jitter_hours=s.jitter,
        timeout_s=s.timeout,
        max_bytes=s.max_bytes,
        contact=s.contact,
        browser_executable=s.browser_executable,
        concurrency=s.concurrency,
        per_host_delay_s=s.per_host_delay,
        failure_threshold=s.failure_threshold,
        obey_robots=s.obey_robots,
    )
    tags = {t: m.interval for t, m in model.tags.items() if m.interval is not None}
    return Watchlist(documents=tuple(docs), settings=settings, tag_intervals=tags,
                     subscribers=subs.build_subscribers(model.subscribers, name),
                     delivery=subs.build_delivery(model.delivery))


def load_watchlist(path: str | Path) -> Watchlist:
    """Read and validate a watchlist file; every problem is a one-line ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (pass --watchlist PATH)") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a watchlist file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    wl = parse_watchlist(text, name=str(path))
    return Watchlist(documents=wl.documents, settings=wl.settings, tag_intervals=wl.tag_intervals,
                     subscribers=wl.subscribers, delivery=wl.delivery, path=path)
