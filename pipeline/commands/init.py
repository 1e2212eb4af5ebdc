"""A folder name → a new project to start from (`qcode init`): transcripts/ with an illustrative example and a
roster template, a copy of the default codebook to edit, the roster's columns explained, README.txt [writes disk].

Everything written runs as it is: `qcode run FOLDER/transcripts --codebook FOLDER/codebook.yaml` codes the
example, so a researcher sees the whole loop before replacing the example with their own interviews.
"""

from __future__ import annotations

import csv
import io
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.commands.report import Line, Report
from pipeline.defaults import default_codebook
from pipeline.errors import OutputError
from pipeline.read.roster import REQUIRED
from pipeline.read.transcripts import TRANSCRIPT_SUFFIXES
from pipeline.write.folder import OutputFolder

EXAMPLE = "example_interview.txt"

EXAMPLE_TEXT = """\
Example interview: illustrative only, written for qcode's project template, not a real interview.
Replace it with your own transcripts (and its row in roster.csv with theirs).

Interviewer: What worries you most about how data is used in your city?
Respondent: Privacy, mostly. People do not know who holds their personal data, and the rules are not transparent.
Interviewer: And fairness?
Respondent: Unfair pricing is common; people call it 大数据杀熟. We need accountability for the platforms.
"""

# What each roster column means (REQUIRED first); every column the roster reader knows, in its order.
COLUMNS = {
    "interviewee_id": "an id of your choosing, one per interviewee (e.g. P01)",
    "file": "the transcript's file name, relative to transcripts/, with its extension "
            f"({' '.join(TRANSCRIPT_SUFFIXES)})",
    "stakeholder_groups": "one or more groups, separated by , ; or 、 (e.g. Policy Maker; Developer)",
    "description": "who the interviewee is, in a few words",
    "gender": "as your study records it",
    "age_group": "e.g. 30-40",
    "country": "e.g. China; compare tallies by country across runs",
    "region": "e.g. mainland, Taiwan, Hong Kong (picks the Chinese conversion where language has no region)",
    "language": "zh-Hans, zh-Hant-TW, zh-Hant-HK or en; empty: detected",
    "speaker_labels": "the interviewee's own speaker labels (e.g. Respondent; 唐鳳); every other label is an "
                      "interviewer. Empty: Interviewer/Q/主持人 … are interviewers, the rest the respondent",
}
EXAMPLE_ROW = {"interviewee_id": "example", "file": EXAMPLE, "stakeholder_groups": "Policy Maker",
               "description": "illustrative example, not a real interview", "country": "China",
               "region": "mainland", "language": "en", "speaker_labels": "Respondent"}


@dataclass
class InitOptions:
    folder: Path


@dataclass
class InitReport(Report):
    folder: Path
    next_commands: list[str]

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        if not quiet:
            yield Line("next:")
            yield from (Line(f"  {command}") for command in self.next_commands)
        yield Line(f"project: {self.folder} (transcripts/ with 1 example and roster.csv, codebook.yaml, "
                   "roster-columns.txt, README.txt)")


def init_project(options: InitOptions) -> InitReport:
    """Write the project into a new folder (or an empty one); an existing non-empty folder is refused."""
    folder = Path(options.folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(folder, "exists and is not an empty folder: `qcode init` starts a project in a new one",
                          hint="give a new folder name, e.g. `qcode init my-study`")
    commands = next_commands(folder)
    codebook = default_codebook().read_text(encoding="utf-8")
    target = OutputFolder(folder)
    with target:
        (target.path("transcripts")).mkdir()
        target.path(f"transcripts/{EXAMPLE}").write_text(EXAMPLE_TEXT, encoding="utf-8")
        target.path("transcripts/roster.csv").write_text(roster_template(), encoding="utf-8")
        target.path("roster-columns.txt").write_text(columns_text(), encoding="utf-8")
        target.path("codebook.yaml").write_text(
            "# Copied by `qcode init` from qcode's default codebook: edit the codes and terms for your study,\n"
            "# then see how each term is matched with `qcode check codebook.yaml`.\n" + codebook, encoding="utf-8")
        target.path("README.txt").write_text(readme_text(folder, commands), encoding="utf-8")
        target.commit()
    return InitReport(folder=folder, next_commands=commands)


def roster_template() -> str:
    """roster.csv: every column the roster reader knows, and the example's row."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE_ROW.get(column, "") for column in COLUMNS])
    return text.getvalue()


def columns_text() -> str:
    width = max(map(len, COLUMNS))
    rows = [f"{name:<{width}}  {'required' if name in REQUIRED else 'optional'}  {meaning}"
            for name, meaning in COLUMNS.items()]
    return ("The columns of transcripts/roster.csv (one row per interviewee; save it as CSV UTF-8 or .xlsx).\n"
            "Any other column is kept as an attribute of the interviewee (it appears in the By interviewee "
            "sheet).\n\n" + "\n".join(rows) + "\n")


def next_commands(folder: Path) -> list[str]:
    where = shlex.quote(str(folder))
    return [f"qcode check {where}/codebook.yaml --corpus {where}/transcripts",
            f"qcode run {where}/transcripts --codebook {where}/codebook.yaml -o outputs/first-run",
            "qcode audit outputs/first-run/codebook.xlsx -o outputs/first-run-reviewed"]


def readme_text(folder: Path, commands: list[str]) -> str:
    return (f"A qcode project, started with `qcode init {shlex.quote(str(folder))}`.\n\n"
            "1. Put your transcripts in transcripts/ and give each a row in transcripts/roster.csv (its columns are\n"
            "   explained in roster-columns.txt); delete the example and its row. Edit codebook.yaml for your\n"
            "   study.\n"
            "2. The next three commands (from the folder you ran `qcode init` in):\n\n"
            + "".join(f"     {command}\n" for command in commands)
            + "\n   check shows how each term of the codebook is matched in your transcripts; run codes them into\n"
              "   outputs/first-run/codebook.xlsx, whose Assignments sheet a reviewer marks (accept, reject, add);\n"
              "   audit applies the reviewer's decisions and recomputes every table.\n")
