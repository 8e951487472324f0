"""Decision text: what is and is not a change."""

from __future__ import annotations

from clausewatch.normalize import decision_hash, decision_text

BASE = """# Privacy Policy

Last updated: March 3, 2024

We may use your personal data to [improve our Services](https://example.com/services?utm_source=a).

- **Account data**: your name and e-mail.
- Usage data.
"""


def test_formatting_is_not_a_change():
    variants = [
        BASE.replace("utm_source=a", "utm_source=b&trk=9"),  # tracking parameters
        BASE.replace("https://example.com/services", "https://example.com/legal/services"),  # moved link
        BASE.replace("- **Account data**", "* Account data"),  # list marker and emphasis
        BASE.replace("your personal data", "your\npersonal   data"),  # wrapping
        BASE.replace("Last updated: March 3, 2024", "Last updated: 4 April 2025"),  # date line
        BASE.replace("e-mail", "e\u2011mail").replace("We may", "We\u00a0may"),  # typography
        BASE.replace("# Privacy Policy", "# Privacy Policy\n\n![Hands holding a phone](/img/a.png)"),  # illustration
        BASE + "\nPage generated 2024-05-06T07:08:09Z · build 4be1f9c2\n",  # dynamic footer…
    ]
    footer_base = BASE + "\nPage generated 2023-01-01T00:00:00Z · build 0000aaa1\n"
    assert decision_hash(variants[-1]) == decision_hash(footer_base)
    for variant in variants[:-1]:
        assert decision_hash(variant) == decision_hash(BASE), variant


def test_wording_is_a_change():
    assert decision_hash(BASE.replace("improve our Services", "train our AI models")) != decision_hash(BASE)
    assert decision_hash(BASE.replace("We may use", "We do not use")) != decision_hash(BASE)
    assert decision_hash(BASE.replace("- Usage data.\n", "")) != decision_hash(BASE)


def test_a_sentence_mentioning_a_date_is_kept():
    text = "From 3 November 2024 we will use your public posts to train generative AI models unless you object."
    assert "train generative ai models" in decision_text(text)
