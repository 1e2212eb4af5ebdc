"""Print-ready sheets read back with openpyxl, and the sample's workbooks printed to PDF by LibreOffice."""

import shutil
import subprocess

import pandas as pd
import pytest
from conftest import REPO, qcode
from openpyxl import Workbook, load_workbook

from pipeline.write.excel import numeric_ids, write_frame
from pipeline.write.page_setup import FONT_NAME, LINE_POINTS, lines_needed, text_width

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                   "`apt-get install libreoffice-calc-nogui` to print the workbooks to PDF")


def saved(tmp_path, frame, **options):
    workbook = Workbook(write_only=True)
    write_frame(workbook, "T", frame, **options)
    workbook.save(tmp_path / "t.xlsx")
    return load_workbook(tmp_path / "t.xlsx")["T"]


def test_a_sheet_prints_one_page_wide_with_its_header_on_every_page(tmp_path):
    sheet = saved(tmp_path, pd.DataFrame({"code": ["equity", "privacy"], "mentions": [3, 1]}))
    setup = sheet.page_setup
    assert (setup.fitToWidth, setup.fitToHeight, setup.paperSize) == (1, 0, 9)        # 9 = A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert setup.orientation == "portrait"                   # two narrow columns
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.print_area == "'T'!$A$1:$B$3"
    assert sheet.freeze_panes == "B2"
    assert "&A" in sheet.oddFooter.center.text and "&P" in sheet.oddFooter.center.text


def test_a_wide_sheet_prints_landscape(tmp_path):
    frame = pd.DataFrame({f"column {i}": ["x" * 30] for i in range(5)})       # 5 columns of 30 characters
    assert saved(tmp_path, frame).page_setup.orientation == "landscape"


def test_header_fonts_are_named_so_no_serif_stands_in(tmp_path):
    sheet = saved(tmp_path, pd.DataFrame({"code": ["equity"]}))
    assert (sheet.cell(1, 1).font.name, sheet.cell(1, 1).font.b) == (FONT_NAME, True)
    assert sheet.parent._fonts[0].name == FONT_NAME            # the workbook's default font, for the body


def test_a_long_text_wraps_in_a_row_high_enough_for_it(tmp_path):
    definition = "Fair and equal treatment in how data are produced and used. " * 4     # 240 characters
    sheet = saved(tmp_path, pd.DataFrame({"code": ["equity", "privacy"], "definition": [definition, "short"]}))
    width = sheet.column_dimensions["B"].width
    assert sheet.cell(2, 2).alignment.wrap_text
    assert sheet.row_dimensions[2].height == lines_needed(definition, width) * LINE_POINTS + 2
    assert lines_needed(definition, width) >= 4
    assert sheet.cell(2, 1).alignment.vertical == "top"         # the code beside it stays at the top
    assert sheet.row_dimensions[3].height is None               # one line: the default height


def test_columns_are_as_wide_as_their_values_chinese_counting_double(tmp_path):
    sheet = saved(tmp_path, pd.DataFrame({"label": ["Equity"], "label_zh": ["数据及其收益的分配"]}))
    assert text_width("数据") == 2 * text_width("数") == 4.0
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


@pytest.mark.parametrize(("ids", "numbers"), [(["1", "2", "12"], True), (["1", "02"], False), (["1", "a"], False),
                                              (["1.0"], False), (["1" * 16], False), ([], False)])
def test_ids_are_numbers_only_when_every_one_is_a_plain_whole_number(ids, numbers):
    assert numeric_ids(ids) is numbers


def test_numeric_interviewee_ids_are_stored_as_numbers(tmp_path):
    sheet = saved(tmp_path, pd.DataFrame({"interviewee_id": ["1", "2", "12"], "equity": [1, 0, 2]}))
    assert [sheet.cell(r, 1).value for r in (2, 3, 4)] == [1, 2, 12]
    mixed = saved(tmp_path, pd.DataFrame({"interviewee_id": ["1", "02"], "equity": [1, 0]}))
    assert [mixed.cell(r, 1).value for r in (2, 3)] == ["1", "02"]


def test_scores_scatter_markers_are_filled(tmp_path):
    out = tmp_path / "s"
    assert qcode("scores", REPO / "transcripts" / "workshop" / "task3_scores.csv", "--out", out).exit_code == 0
    (chart,) = load_workbook(out / "scores.xlsx")["Scatter"]._charts
    fills = [series.marker.spPr.solidFill for series in chart.series]
    assert len(fills) == 6 and all(fills) and len(set(fills)) == 6      # six pillars, six colours


def pages_by_sheet(pdf) -> dict[str, int]:
    """Sheet name → pages, from the footer LibreOffice prints on every page (`Sheet — page N of M`)."""
    from pypdf import PdfReader

    pages: dict[str, int] = {}
    for page in PdfReader(pdf).pages:
        footers = [line for line in page.extract_text().splitlines() if " — page " in line]
        name = footers[-1].split(" — page ")[0].strip() if footers else "?"
        pages[name] = pages.get(name, 0) + 1
    return pages


@needs_soffice
def test_the_samples_workbooks_print_on_few_pages(tmp_path):
    run, compared, scores = tmp_path / "run", tmp_path / "cmp", tmp_path / "scores"
    assert qcode("run", "--out", run, "-q").exit_code == 0
    assert qcode("compare", run, "--out", compared).exit_code == 0
    assert qcode("scores", REPO / "transcripts" / "workshop" / "task3_scores.csv", "--out", scores).exit_code == 0
    books = [run / "codebook.xlsx", compared / "compare.xlsx", scores / "scores.xlsx"]
    done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                           "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, books)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    run_pages = pages_by_sheet(tmp_path / "pdf" / "codebook.pdf")
    summary = ["Codebook", "By interviewee", "Presence", "Units", "By group", "Co-occurrence", "Chart"]
    # each summary sheet of the sample (12 interviewees, 8 codes) fits one page: 7 in all, bound 8 (was 40
    # pages for the whole workbook, a sheet cut into strips of 1-4 columns)
    assert sum(run_pages[name] for name in summary) <= 8, run_pages
    assert "Run record" not in run_pages and "Lists" not in run_pages          # hidden sheets are not printed
    by_term_rows = load_workbook(run / "codebook.xlsx")["By term"].max_row - 1
    # 69 desk rows; By term has a row per term (314) and prints at least 30 of them a page
    assert run_pages["Assignments"] <= 8 and run_pages["By term"] <= -(-by_term_rows // 30), run_pages
    compare_pages = pages_by_sheet(tmp_path / "pdf" / "compare.pdf")
    assert set(compare_pages) == {"Compare", "Chart", "Runs", "Notes"} and sum(compare_pages.values()) <= 6
    scores_pages = pages_by_sheet(tmp_path / "pdf" / "scores.pdf")
    assert {"Scores", "Table", "Heat map", "Scatter"} <= set(scores_pages)
    assert sum(scores_pages.values()) <= 10, scores_pages


def test_text_width_counted_by_blocks_is_the_sum_of_every_characters_width():
    import random
    import unicodedata

    def width(ch):          # the rule, character by character
        if unicodedata.east_asian_width(ch) in "WF":
            return 2.0
        return 1.0 if ch.isdigit() or ch.isupper() else 0.75

    def one_by_one(text):
        return max(sum(width(ch) for ch in line) for line in text.split("\n"))

    everything = [chr(c) for c in range(0x9, 0x30000) if not 0xD800 <= c < 0xE000]
    near = [chr(c) for c in range(0x2E00, 0x10000) if not 0xD800 <= c < 0xE000]
    rnd = random.Random(20)
    texts = ["".join(rnd.choice(pool) for _ in range(rnd.randint(0, 40))) + tail
             for pool in (everything, near) for tail in ("", "aB1\n ü 中") for _ in range(2500)]
    texts += ["".join(everything[i:i + 500]) for i in range(0, len(everything), 500)]
    assert [text_width(t) for t in texts] == [one_by_one(t) for t in texts]
