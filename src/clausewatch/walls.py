"""Is this capture a page we were not meant to get?  (pure)

Bot walls, captchas, "access denied", cookie walls, error pages served with 200 and empty
bodies must become fetch failures, never versions.  Real policies mention cookies, access and
errors too, so a page is only judged a wall when its text is short: a wall is a short page.
The phrases are matched on the page title and extracted text, lower-cased.
"""

from __future__ import annotations

import re

# (reason, pattern); each pattern is a phrase walls use and policies don't use in short pages.
_WALL_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (reason, re.compile(pattern, re.I))
    for reason, pattern in (
        ("captcha", r"\bcaptcha\b|\bare you (?:a )?(?:human|robot)\b|verify (?:that )?you(?:'re| are) (?:a )?human"
                    r"|i'm not a robot|prove you(?:'re| are) human|press (?:&|and) hold"),
        ("bot wall", r"just a moment\.\.\.|checking your browser|attention required|ddos protection"
                     r"|unusual traffic|automated (?:queries|requests|access)|bot detection|request (?:was )?blocked"
                     r"|pardon our interruption|please enable (?:javascript and )?cookies to continue"),
        ("access denied", r"\baccess (?:is )?denied\b|\bforbidden\b|you don't have permission to access"
                          r"|not authori[sz]ed to (?:view|access)"),
        ("cookie wall", r"(?:accept|allow|agree to) (?:all )?cookies (?:to|before) (?:continue|continuing|proceed|view)"
                        r"|cookie consent required|you must accept cookies"),
        ("error page", r"\b(?:404|410|500|502|503|504)\b.{0,40}(?:not found|error|unavailable|gone)"
                       r"|\bpage (?:not found|cannot be found|could not be found|doesn't exist|does not exist)\b"
                       r"|service (?:temporarily )?unavailable|something went wrong|an error (?:has )?occurred"
                       r"|temporarily down for maintenance|under maintenance"),
        ("login wall", r"\b(?:sign|log) ?in to (?:continue|view|see)\b|join now to (?:view|see)"),
        ("needs javascript", r"(?:please )?(?:enable|turn on) javascript|javascript is (?:disabled|required)"
                             r"|you need to enable javascript|requires javascript"),
    )
)

# A policy is long; walls are short.  300 words: the shortest real policy page in the corpus
# (Meta AI terms sections, ChatGPT data-use page) has over 450.
SHORT_PAGE_WORDS = 300


def wall_reason(text: str, title: str | None = None) -> str | None:
    """The reason this page looks like a wall / error page, or None when it looks like content."""
    words = len(re.findall(r"\w+", text))
    if words == 0:
        return "empty page (no text)"
    haystack = f"{title or ''}\n{text[:4000]}"
    if words < SHORT_PAGE_WORDS:
        for reason, pattern in _WALL_PATTERNS:
            if pattern.search(haystack):
                return f"{reason} (short page matching {pattern.search(haystack).group(0)!r})"
    return None


def needs_javascript(html: bytes, text_words: int) -> bool:
    """Whether an HTTP capture is an empty JavaScript shell that a browser would fill in."""
    if text_words >= SHORT_PAGE_WORDS:
        return False
    head = html[:200_000].lower()
    scripts = head.count(b"<script")
    return scripts >= 1 and (
        text_words < 80
        or b"enable javascript" in head
        or b'id="root"></div>' in head
        or b'id="app"></div>' in head
        or b'id="__next"></div>' in head
    )
