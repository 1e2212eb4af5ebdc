"""A language tag as a researcher types it (`--language`, the roster, front matter) → a tag qcode knows, or a
did-you-mean: `Taiwan` is no tag (it would silently fall back to t2s), `zh-Hant-TW` is."""

from __future__ import annotations

import re

from pipeline.errors import did_you_mean

# The tags qcode reads: the script decides the segmenter's text, the region the OpenCC profile.
TAGS = ("zh-Hans", "zh-Hant-TW", "zh-Hant-HK", "zh-Hant-MO", "zh-Hant", "en")
# Also read, as BCP 47 writes them: a bare region (zh-TW reads as zh-Hant-TW), a script with its usual region.
OTHER_TAGS = ("zh", "zh-CN", "zh-SG", "zh-TW", "zh-HK", "zh-MO", "zh-Hans-CN", "zh-Hans-SG")
_ENGLISH = re.compile(r"^en(-[a-z]{2}|-\d{3})?$")            # en, en-GB, en-US, en-150
# What researchers type instead of a tag: the tag each one most likely means.
_NAMES = {
    "english": "en", "eng": "en", "英文": "en", "英语": "en", "英語": "en",
    "chinese": "zh-Hans", "mandarin": "zh-Hans", "simplified": "zh-Hans", "simplified chinese": "zh-Hans",
    "putonghua": "zh-Hans", "中文": "zh-Hans", "简体": "zh-Hans", "简体中文": "zh-Hans", "普通话": "zh-Hans",
    "china": "zh-Hans", "mainland": "zh-Hans", "cn": "zh-Hans",
    "traditional": "zh-Hant", "traditional chinese": "zh-Hant", "繁體": "zh-Hant", "繁体": "zh-Hant",
    "繁體中文": "zh-Hant", "taiwan": "zh-Hant-TW", "taiwanese": "zh-Hant-TW", "tw": "zh-Hant-TW",
    "台湾": "zh-Hant-TW", "臺灣": "zh-Hant-TW", "台灣": "zh-Hant-TW", "hong kong": "zh-Hant-HK",
    "hongkong": "zh-Hant-HK", "hk": "zh-Hant-HK", "cantonese": "zh-Hant-HK", "香港": "zh-Hant-HK",
    "粤语": "zh-Hant-HK", "粵語": "zh-Hant-HK", "macau": "zh-Hant-MO", "macao": "zh-Hant-MO", "澳門": "zh-Hant-MO",
    "澳门": "zh-Hant-MO",
}
_KNOWN = {tag.lower(): tag for tag in TAGS + OTHER_TAGS}


def language_tag(typed: str) -> str | None:
    """The tag as qcode spells it (`ZH_hant_tw` → `zh-Hant-TW`), "" for nothing typed, None for no known tag."""
    text = "-".join(str(typed).strip().replace("_", "-").split("-")) if str(typed).strip() else ""
    if not text:
        return ""
    folded = text.lower()
    if folded in _KNOWN:
        return _KNOWN[folded]
    if _ENGLISH.match(folded):
        return "en" + folded[2:].upper()
    return None


def tag_meant(typed: str) -> str:
    """The known tag nearest to an unknown one (a place or a language name, or a misspelt tag), or ""."""
    folded = " ".join(str(typed).strip().replace("_", "-").lower().split())
    return _NAMES.get(folded) or _NAMES.get(folded.replace("-", " ")) or did_you_mean(folded, TAGS + OTHER_TAGS)


def unknown_language(typed: str) -> str:
    """What to say about a tag qcode does not know: the problem and the did-you-mean, in one sentence."""
    meant = tag_meant(typed)
    return (f"unknown language {str(typed).strip()!r}" + (f": did you mean {meant!r}?" if meant else "")
            + f" (known: {', '.join(TAGS)})")
