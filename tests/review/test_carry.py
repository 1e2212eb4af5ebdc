"""Carrier: a review's decisions carried by assignment id onto a re-run of the same transcripts."""

import pytest
from conftest import Desk, qcode, write

from pipeline.review.carry import ORPHAN_COLUMNS, Carrier
from pipeline.review.reviewed_workbook import read_reviewed
from pipeline.runfolder.recode import recode_run


def review_of(run, tmp_path, edit):
    desk = Desk(run / "codebook.xlsx")
    edit(desk)
    return read_reviewed(desk.save(tmp_path / "reviewed.xlsx"))


def rerun(tmp_path, codebook_file, edit_codebook=lambda text: text):
    """The machine run's transcripts coded again (with an edited codebook), re-coded with their text kept."""
    codebook = write(tmp_path, "rerun.yaml", edit_codebook(codebook_file.read_text(encoding="utf-8")))
    out = tmp_path / "rerun"
    result = qcode("run", tmp_path / "t", "--codebook", codebook, "--out", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    manifest = read_reviewed(out / "codebook.xlsx").manifest
    return recode_run(manifest, out, None, 1)


def carry_all(carrier, recoded):
    """Every file of the re-run carried, as `run --reviewed` does: {file: (assignments, added)}."""
    return {name: carrier.carry(result, recoded) for name, result in recoded.results.items()}


def by_text(assignments, matched_text):
    return next(a for a in assignments if a.matched_text == matched_text)


def without_good(text):
    return text[:text.index("  - id: good")]


def without_fairness(text):
    return text.replace("equity, fairness,", "equity,")


def test_decision_is_carried_by_id_onto_a_rerun(machine_run, tmp_path, codebook_file):
    review = review_of(machine_run, tmp_path, lambda d: (
        d.set("a.txt", "Privacy", decision="accept", note="clear", reviewer="Li"),
        d.set("a.txt", "privacy", recode_to="equity", reviewer="Li")))
    recoded = rerun(tmp_path, codebook_file)
    carrier = Carrier(review, recoded.codebook.ids)
    carried = carry_all(carrier, recoded)
    assignments, added = carried["a.txt"]
    first = by_text(assignments, "Privacy")
    assert (first.decision, first.note, first.reviewer) == ("accept", "clear", "Li")
    recoded_row = by_text(assignments, "privacy")
    assert (recoded_row.code, recoded_row.recode_to) == ("privacy", "equity")   # carried, not applied
    assert by_text(assignments, "fairness").decision == ""
    assert (carrier.carried, added) == (2, [])
    assert carrier.finish().empty


def test_carried_decision_lands_on_the_same_assignment_id(machine_run, tmp_path, codebook_file):
    review = review_of(machine_run, tmp_path, lambda d: d.set("c.txt", "equity", decision="reject"))
    decided = next(r for r in review.rows if r.decision)
    recoded = rerun(tmp_path, codebook_file)
    assignments, _ = Carrier(review, recoded.codebook.ids).carry(recoded.results["c.txt"], recoded)
    assert [a.assignment_id for a in assignments if a.decision == "reject"] == [decided.assignment_id]


def test_decision_on_an_assignment_that_no_longer_exists_is_orphaned(machine_run, tmp_path, codebook_file):
    review = review_of(machine_run, tmp_path, lambda d: d.set("a.txt", "fairness", decision="reject",
                                                              reviewer="Li"))
    recoded = rerun(tmp_path, codebook_file, without_fairness)     # fairness is no longer an equity term
    carrier = Carrier(review, recoded.codebook.ids)
    carried = carry_all(carrier, recoded)
    assert "fairness" not in {a.matched_text for a in carried["a.txt"][0]}
    orphans = carrier.finish()
    assert list(orphans.columns) == ORPHAN_COLUMNS
    [orphan] = orphans.to_dict("records")
    assert (orphan["matched_text"], orphan["decision"], orphan["reviewer"]) == ("fairness", "reject", "Li")
    assert orphan["why"] == "the assignment no longer exists (codebook or transcript changed)"
    assert carrier.carried == 0


def test_recode_to_a_code_no_longer_in_the_codebook_is_orphaned(machine_run, tmp_path, codebook_file):
    review = review_of(machine_run, tmp_path, lambda d: d.set("a.txt", "privacy", recode_to="good"))
    recoded = rerun(tmp_path, codebook_file, without_good)
    carrier = Carrier(review, recoded.codebook.ids)
    assignments, _ = carrier.carry(recoded.results["a.txt"], recoded)
    kept = by_text(assignments, "privacy")
    assert (kept.code, kept.decision, kept.recode_to) == ("privacy", "", "")    # the machine's row, undecided
    [orphan] = carrier.finish().to_dict("records")
    assert (orphan["matched_text"], orphan["why"]) == ("privacy", "recode_to 'good' is no longer a code")


def test_added_row_is_carried_and_located_again(machine_run, tmp_path, codebook_file):
    review = review_of(machine_run, tmp_path, lambda d: d.add(source_file="a.txt", line=1, code="equity",
                                                              matched_text="first", decision="add", reviewer="Li"))
    recoded = rerun(tmp_path, codebook_file)
    carrier = Carrier(review, recoded.codebook.ids)
    _, added = carrier.carry(recoded.results["a.txt"], recoded)
    [row] = added
    assert (row.code, row.char_start, row.decision, row.reviewer) == ("equity", 14, "add", "Li")
    assert carrier.carried == 1


def test_added_row_whose_code_left_the_codebook_is_orphaned(machine_run, tmp_path, codebook_file):
    review = review_of(machine_run, tmp_path, lambda d: d.add(source_file="a.txt", line=1, code="good",
                                                              matched_text="first", decision="add"))
    recoded = rerun(tmp_path, codebook_file, without_good)
    carrier = Carrier(review, recoded.codebook.ids)
    _, added = carrier.carry(recoded.results["a.txt"], recoded)
    assert added == []
    [orphan] = carrier.finish().to_dict("records")
    assert orphan["why"] == "code 'good' is no longer in the codebook"


def test_added_row_qcode_now_codes_itself_is_orphaned(machine_run, tmp_path, codebook_file):
    review = review_of(machine_run, tmp_path, lambda d: d.add(source_file="a.txt", line=1, code="good",
                                                              matched_text="first", decision="add"))
    recoded = rerun(tmp_path, codebook_file, lambda t: t.replace("en: [tech for good]", "en: [tech for good, first]"))
    carrier = Carrier(review, recoded.codebook.ids)
    assignments, added = carrier.carry(recoded.results["a.txt"], recoded)
    assert added == [] and ("first", "good") in {(a.matched_text, a.code) for a in assignments}
    [orphan] = carrier.finish().to_dict("records")
    assert orphan["why"] == "qcode now codes this passage itself"


def test_decisions_on_a_file_the_rerun_does_not_code_are_orphaned_at_finish(machine_run, tmp_path, codebook_file):
    review = review_of(machine_run, tmp_path, lambda d: d.set("c.txt", "equity", decision="accept"))
    recoded = rerun(tmp_path, codebook_file)
    carrier = Carrier(review, recoded.codebook.ids)
    carrier.carry(recoded.results["a.txt"], recoded)                    # c.txt is never carried
    [orphan] = carrier.finish().to_dict("records")
    assert (orphan["source_file"], orphan["why"]) == ("c.txt", "the file is not coded in this run")


def test_rows_without_decision_note_or_reviewer_are_not_carried(machine_run, tmp_path, codebook_file):
    review = review_of(machine_run, tmp_path, lambda d: None)
    recoded = rerun(tmp_path, codebook_file, without_fairness)
    carrier = Carrier(review, recoded.codebook.ids)
    carry_all(carrier, recoded)
    assert (carrier.carried, len(carrier.finish())) == (0, 0)        # the vanished fairness row was undecided


@pytest.mark.parametrize("edit", [lambda d: d.set("a.txt", "Privacy", note="look again"),
                                  lambda d: d.set("a.txt", "Privacy", reviewer="Li")])
def test_note_or_name_alone_is_carried(machine_run, tmp_path, codebook_file, edit):
    review = review_of(machine_run, tmp_path, edit)
    recoded = rerun(tmp_path, codebook_file)
    carrier = Carrier(review, recoded.codebook.ids)
    assignments, _ = carrier.carry(recoded.results["a.txt"], recoded)
    row = by_text(assignments, "Privacy")
    assert (row.note or row.reviewer) and row.decision == ""
    assert carrier.carried == 1
