"""Tables → PNG charts for papers (matplotlib, headless), with a CJK font where the machine has one."""

from __future__ import annotations

import warnings
from contextlib import contextmanager, suppress
from pathlib import Path

_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
              "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Arial Unicode MS")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def needs_cjk(texts) -> bool:
    return any(ord(ch) > 0x2E7F for text in texts for ch in str(text))


_CJK_FILES = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "wenquanyi", "msyh", "simhei", "pingfang",
              "arialuni")


def _cjk_fonts(font_manager) -> list[str]:
    """The CJK fonts matplotlib can use; a font installed after matplotlib built its font list (the usual case
    after `apt-get install fonts-noto-cjk`) is added from the system's font files."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = [name for name in _CJK_FONTS if name in installed]
    if not found:
        for path in font_manager.findSystemFonts():
            if any(mark in Path(path).name.lower().replace("-", "").replace("_", "") for mark in _CJK_FILES):
                with suppress(OSError, RuntimeError):          # a font file matplotlib cannot read
                    font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
        found = [name for name in _CJK_FONTS if name in installed]
    return found


@contextmanager
def figure_fonts(texts):
    """Use a CJK font when labels hold Chinese; yields False when none is installed (boxes in the PNG).
    Labels are plain text: a `$…$` in a group's or a code's name is never read as TeX math."""
    plt = _pyplot()
    from matplotlib import font_manager

    with plt.rc_context({"text.parse_math": False}):
        if not needs_cjk(texts):
            yield True
            return
        found = _cjk_fonts(font_manager)
        with plt.rc_context({"font.sans-serif": found + list(plt.rcParams["font.sans-serif"])}):
            if found:
                yield True
            else:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="Glyph .* missing from font")
                    yield False


def _label_width(text) -> float:
    """A label's width in Latin characters: a Han character is about two."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.0 for ch in str(text))


def grouped_bars(path: Path, categories: list[str], groups: list[str], values: list[list[float]],
                 marks: list[list[str]], title: str, ylabel: str, caption: str) -> bool:
    """Bars per category, one per group side by side, each topped by its mark (e.g. "63%").

    Returns False when labels needed a CJK font the machine does not have.
    """
    plt = _pyplot()
    with figure_fonts(categories + groups + [title]) as fonts_ok:
        width = 0.8 / max(len(groups), 1)
        wide = min(12.0, max(6.0, 0.35 * len(categories) * max(1, len(groups)) + 2))
        figure, axes = plt.subplots(figsize=(wide, 4.8), dpi=150)
        top = max((v for row in values for v in row), default=0) or 1
        for index, group in enumerate(groups):
            xs = [c + (index - (len(groups) - 1) / 2) * width for c in range(len(categories))]
            bars = axes.bar(xs, values[index], width=width * 0.95, label=group)
            for bar, mark in zip(bars, marks[index], strict=True):
                axes.annotate(mark, (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 2),
                              textcoords="offset points", ha="center", va="bottom", fontsize=7)
        axes.set_xticks(range(len(categories)), categories, rotation=30, ha="right")
        axes.set_ylim(0, top * 1.15)
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(frameon=False, fontsize=8)
        figure.text(0.01, 0.01, caption, fontsize=7, color="#555555")
        figure.tight_layout(rect=(0, 0.04, 1, 1))
        figure.savefig(path, metadata={"Software": None})
        plt.close(figure)
    return fonts_ok


def heat_map(path: Path, rows: list[str], columns: list[str], values: list[list[float]], title: str,
             low: float, high: float) -> bool:
    """A rows × columns grid of values coloured from low to high, each cell annotated with one decimal."""
    plt = _pyplot()
    with figure_fonts(rows + columns + [title]) as fonts_ok:
        # room for the labels besides the cells: long (Chinese) labels would squeeze the grid to a strip
        below = 0.06 * max((_label_width(c) for c in columns), default=0)      # column labels, turned 30°
        left = 0.09 * max((_label_width(r) for r in rows), default=0)
        size = (min(16.0, 2.0 + left + 1.1 * len(columns)), min(16.0, 1.4 + below + 0.5 * max(len(rows), 2)))
        figure, axes = plt.subplots(figsize=size, dpi=150)
        image = axes.imshow(values, cmap="YlOrRd", vmin=low, vmax=high, aspect="auto")
        axes.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
        axes.set_yticks(range(len(rows)), rows)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                if value == value:
                    axes.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=8,
                              color="white" if value > low + 0.7 * (high - low) else "black")
        figure.colorbar(image, ax=axes, fraction=0.04)
        axes.set_title(title)
        figure.tight_layout()
        figure.savefig(path, metadata={"Software": None})
        plt.close(figure)
    return fonts_ok


def labelled_scatter(path: Path, points: list[tuple[str, str, float, float]], title: str, xlabel: str,
                     ylabel: str, low: float, high: float) -> bool:
    """One point per (label, series): x, y, the label written beside it, one colour per series."""
    plt = _pyplot()
    series = list(dict.fromkeys(s for _, s, _, _ in points))
    with figure_fonts([p[0] for p in points] + series + [title]) as fonts_ok:
        figure, axes = plt.subplots(figsize=(6.4, 5.6), dpi=150)
        axes.plot([low, high], [low, high], color="#bbbbbb", linewidth=0.8, zorder=0,
                  label=f"{xlabel} = {ylabel}")
        for name in series:
            mine = [p for p in points if p[1] == name and p[2] == p[2] and p[3] == p[3]]
            axes.scatter([p[2] for p in mine], [p[3] for p in mine], label=name, s=36)
            for label, _, x, y in mine:
                axes.annotate(label, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=8)
        axes.set_xlim(low - 0.2, high + 0.2)
        axes.set_ylim(low - 0.2, high + 0.2)
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(frameon=False, fontsize=8)         # the diagonal has its entry too
        figure.tight_layout()
        figure.savefig(path, metadata={"Software": None})
        plt.close(figure)
    return fonts_ok
