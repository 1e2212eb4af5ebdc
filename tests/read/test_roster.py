"""Rosters: encodings, xlsx, groups, and the rows that cannot be used."""

from conftest import write
from openpyxl import Workbook

from pipeline.read.roster import read_roster

HEADER = "interviewee_id,file,stakeholder_groups,country,speaker_labels,extra\n"


def test_gb18030_roster_as_excel_in_china_saves_it(tmp_path):
    path = write(tmp_path, "roster.csv", HEADER + "1,a.txt,政策制定者、开发者,中国,唐凤;Audrey Tang,x\n",
                 encoding="gb18030")
    roster = read_roster(path)
    (person,) = roster.interviewees
    assert person.groups == ("政策制定者", "开发者")
    assert person.speaker_labels == ("唐凤", "Audrey Tang")
    assert person.attributes["country"] == "中国" and person.attributes["extra"] == "x"


def test_duplicate_interviewee_id_is_a_problem_and_the_row_left_out(tmp_path):
    path = write(tmp_path, "roster.csv", HEADER + "1,a.txt,A,,,\n1,b.txt,A,,,\n")
    roster = read_roster(path)
    assert [p.file for p in roster.interviewees] == ["a.txt"]
    (problem,) = roster.problems
    assert "duplicate interviewee_id '1'" in problem.problem and problem.line == 3


def test_group_spelled_differently_in_case_or_spaces_is_a_problem_and_merged(tmp_path):
    path = write(tmp_path, "roster.csv", HEADER + "1,a.txt,Policy Maker,,,\n2,b.txt,policy  maker,,,\n")
    roster = read_roster(path)
    assert roster.groups == ["Policy Maker"]
    (problem,) = roster.problems
    assert "spelled differently" in problem.problem and problem.line == 3


def test_xlsx_roster(tmp_path):
    workbook = Workbook()
    workbook.active.append(["Interviewee ID", "File", "Stakeholder groups", "gender"])
    workbook.active.append([7, "a.txt", "Developer; Impacted Community", "F"])
    workbook.save(tmp_path / "roster.xlsx")
    (person,) = read_roster(tmp_path / "roster.xlsx").interviewees
    assert person.id == "7" and person.groups == ("Developer", "Impacted Community")


def test_same_file_listed_twice_is_a_problem(tmp_path):
    path = write(tmp_path, "roster.csv", HEADER + "1,a.txt,A,,,\n2,a.txt,B,,,\n")
    roster = read_roster(path)
    assert [p.id for p in roster.interviewees] == ["1"]
    (problem,) = roster.problems
    assert "already listed for interviewee '1'" in problem.problem and problem.line == 3


def test_without_a_roster_two_files_of_one_name_in_two_folders_are_two_interviewees(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    for folder, text in (("a", "Respondent: 公平很重要。"), ("b", "Respondent: Fairness matters.")):
        (tmp_path / "in" / folder).mkdir(parents=True)
        (tmp_path / "in" / folder / "p01.txt").write_text(f"Interviewer: ?\n{text}\n", encoding="utf-8")
    (tmp_path / "in" / "p02.txt").write_text("Respondent: Privacy.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-cache"])
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "out" / "by_interviewee.csv").read_text("utf-8-sig").splitlines()[1:]
    ids = {line.split(",")[0] for line in rows}
    assert ids == {"a/p01", "b/p01", "p02"}
