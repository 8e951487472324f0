"""Render the digest of two real changes and screenshot its HTML mail in headless Chromium → docs/digest.png.

    python docs/digest_screenshot.py            # needs ../shared/corpus and /usr/bin/chromium

The changes are real version pairs from ../shared/corpus (Open Terms Archive contributors,
ODC-BY 1.0): LinkedIn's privacy policy of 2024-08-01 → 2024-09-19 (the AI-training change) and
ChatGPT's terms of service of 2025-08-13 → 2025-08-30 (a change with nothing about AI).  They go
through the real change engine (compare) and digest.build / digest.render, exactly as a send would;
only the database, the site address and the capture hashes are stand-ins.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from clausewatch import digest as D
from clausewatch.compare import compare
from clausewatch.models import Version
from clausewatch.normalize import decision_hash
from clausewatch.subscribers import Subscriber

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PAIRS = [
    ("LinkedIn", "Privacy Policy", "https://www.linkedin.com/legal/privacy-policy",
     "ota/LinkedIn/Privacy Policy/2024-08-01T18-10-11Z.md", "ota/LinkedIn/Privacy Policy/2024-09-19T06-10-13Z.md"),
    ("ChatGPT", "Terms of Service", "https://openai.com/policies/row-terms-of-use/",
     "ota/ChatGPT/Terms of Service/2025-08-13T12-31-03Z.md", "ota/ChatGPT/Terms of Service/2025-08-30T00-31-09Z.md"),
]


def _when(path: str) -> datetime:
    return datetime.strptime(Path(path).stem, "%Y-%m-%dT%H-%M-%SZ").replace(tzinfo=UTC)


def changes() -> list[D.StoredChange]:
    out = []
    for i, (service, doc_type, url, old_path, new_path) in enumerate(PAIRS, start=1):
        old_text, new_text = ((CORPUS / p).read_text(encoding="utf-8") for p in (old_path, new_path))
        old = Version(2 * i - 1, service, _when(old_path), old_text, decision_hash(old_text))
        new = Version(2 * i, service, _when(new_path), new_text, decision_hash(new_text))
        change = compare([old], new, name=f"{service} {doc_type}")
        out.append(D.StoredChange(
            id=i, document_id=f"{service}-{doc_type}".lower().replace(" ", "-"), service=service, doc_type=doc_type,
            doc_url=url, cls=str(change.cls), summary=change.summary, severity=str(change.severity),
            detected_at=new.captured_at, captured_at=new.captured_at, source="import",
            capture_sha256=hashlib.sha256(new_text.encode()).hexdigest(),  # stand-in: imports have no raw capture
            deltas=D.clause_changes(change.deltas), diff=change.diff, new_version_id=new.id))
    return out


def main(out: Path = ROOT / "docs" / "digest.png") -> None:
    from playwright.sync_api import sync_playwright

    items = changes()
    digest = D.build(Subscriber(name="ai-desk", email=("desk@example.org",)), items,
                     period_start=min(c.detected_at for c in items), period_end=max(c.detected_at for c in items),
                     site_url="https://clausewatch.example.org")
    html = D.render(digest, "html")
    page_file = out.with_suffix(".html")
    page_file.write_text(html, encoding="utf-8")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        page = browser.new_page(viewport={"width": 720, "height": 900}, device_scale_factor=1)
        page.goto(page_file.as_uri())
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    page_file.unlink()
    print(f"{out} ({digest.subject})")


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:2]))
