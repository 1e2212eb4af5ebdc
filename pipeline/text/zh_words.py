"""Chinese word segmenters: jieba (Python, the reference) and rjieba (jieba-rs), which cuts the same words.

rjieba is optional (`pip install -e ".[fast]"`) and about ten times faster. `auto` uses it when it
is installed, except with a user dictionary: jieba gives a user word without a frequency one it
suggests from the words already loaded, which jieba-rs does not reproduce, so jieba codes such a
run. Both cut with the HMM off. rjieba is fed exactly the pieces jieba's own `cut` would send to its
dictionary (jieba's Han/alphanumeric blocks); everything else is split the way jieba splits it.
tests/test_zh_words.py proves the words identical on the real Chinese corpus.
"""

from __future__ import annotations

import re
from functools import cache

from pipeline.errors import PipelineError
from pipeline.versions import LibraryChoice, installed_version

CHOICES = ["auto", "jieba", "rjieba"]        # --segmenter
# jieba 0.42.1's default blocks (jieba.re_han_default) and what it splits the rest on (re_skip_default)
_JIEBA_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]+)")
_JIEBA_SKIP = re.compile("(\r\n|\\s)")
_USER_DICT_WHY = "a user dictionary is given: jieba reads it (rjieba would weigh its words differently)"


def choose(requested: str = "auto", user_dict: str = "") -> LibraryChoice:
    """The segmenter for `--segmenter REQUESTED` (auto, jieba, rjieba) and a user dictionary (or "")."""
    fast = installed_version("rjieba")
    if requested == "rjieba":
        if not fast:
            raise PipelineError("--segmenter", "rjieba is not installed",
                                hint='pip install -e ".[fast]", or use --segmenter jieba')
        if user_dict:
            raise PipelineError(user_dict, "rjieba cannot read a jieba user dictionary",
                                hint="use --segmenter auto or jieba with --user-dict")
        return LibraryChoice("rjieba", fast, "asked for (--segmenter rjieba)")
    if requested == "auto" and fast and not user_dict:
        return LibraryChoice("rjieba", fast, "installed: the same words as jieba, faster")
    if requested == "jieba":
        why = "asked for (--segmenter jieba)"
    elif fast:
        why = _USER_DICT_WHY
    else:
        why = 'rjieba is not installed (pip install -e ".[fast]" for the faster one)'
    return LibraryChoice("jieba", installed_version("jieba") or "", why)


@cache
def tokenizer(user_dict: str = ""):
    """jieba's default tokenizer, or a separate one that also knows a user dictionary."""
    import jieba

    jieba.setLogLevel(60)
    if not user_dict:
        jieba.initialize()
        return jieba.dt
    own = jieba.Tokenizer()
    own.initialize()
    with open(user_dict, "rb") as handle:
        own.load_userdict(handle)
    return own


@cache
def cutter(name: str = "jieba", user_dict: str = ""):
    """A function: text → its words as jieba cuts them with the HMM off, by the named segmenter."""
    if name == "jieba":
        cut = tokenizer(user_dict).cut
        return lambda text: cut(text, HMM=False)
    if user_dict:
        raise ValueError("rjieba does not take a user dictionary")
    from rjieba import cut as cut_block

    def cut(text: str):
        for odd, block in enumerate(_JIEBA_BLOCK.split(text)):
            if odd % 2:                             # split() alternates: between, block, between, …
                yield from cut_block(block, False)
            elif block:
                for piece in _JIEBA_SKIP.split(block):
                    if _JIEBA_SKIP.fullmatch(piece):
                        yield piece
                    else:
                        yield from piece
    return cut


def cut_chinese(text: str, user_dict: str = "", name: str = "jieba") -> list[str]:
    """The words of a Chinese text, as jieba cuts them with the HMM off."""
    return list(cutter(name, user_dict)(text))
