"""Labelled units → one classifier per code, its cross-validated precision and recall, and the top-scoring
uncoded respondent units of a run as suggestions (scikit-learn, offline, deterministic for a seed)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.errors import Problem, note
from pipeline.learn.features import Unit, respondent_units, shown
from pipeline.learn.training import TrainingSet
from pipeline.models import FileResult
from pipeline.runfolder.suggested import SUGGESTED_COLUMNS

SEED = 0
TOP = 20                  # suggestions per code
THRESHOLD = 0.5           # a unit is suggested (and counted positive in cross-validation) from this score
MIN_EXAMPLES = 3          # positive and negative units a code needs for a model
FOLDS = 5
C = 1.0
MIN_DF = 2                # a feature counts when at least two training units hold it
DRIVERS = 5               # words shown per suggestion
MODEL = "logistic regression per code (scikit-learn LogisticRegression, liblinear, class_weight=balanced) over " \
        "tf-idf of Chinese character 1-3-grams and English lemmas and lemma pairs"


def _as_is(features):
    return features


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=_as_is, min_df=MIN_DF, sublinear_tf=True)


def _classifier(seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=seed, max_iter=1000)


@dataclass
class CodeFigures:
    """What one code's model learned from, and how well it did on files it had not seen."""

    positives: int
    negatives: int
    files: int
    true_positives: int | None = None
    false_positives: int | None = None
    false_negatives: int | None = None
    folds: int = 0
    skipped: str = ""

    @property
    def precision(self) -> float | None:
        found = (self.true_positives or 0) + (self.false_positives or 0)
        return self.true_positives / found if self.folds and found else None

    @property
    def recall(self) -> float | None:
        wanted = (self.true_positives or 0) + (self.false_negatives or 0)
        return self.true_positives / wanted if self.folds and wanted else None

    def as_dict(self) -> dict:
        return {"positives": self.positives, "negatives": self.negatives, "files": self.files,
                "cv_folds": self.folds, "cv_precision": _rounded(self.precision), "cv_recall": _rounded(self.recall),
                "cv_true_positives": self.true_positives, "cv_false_positives": self.false_positives,
                "cv_false_negatives": self.false_negatives, "skipped": self.skipped}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass
class SecondOpinion:
    """Models trained on reviewers' verdicts; scores a run's files as they are coded."""

    training: TrainingSet
    code_ids: list[str]
    seed: int = SEED
    top: int = TOP
    figures: dict[str, CodeFigures] = field(default_factory=dict)
    models: dict = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)
    _vectorizer: object = None
    _names: np.ndarray | None = None
    _candidates: dict[str, list] = field(default_factory=dict)
    _order: int = 0
    scored_units: int = 0
    skipped_files: int = 0

    def train(self) -> SecondOpinion:
        examples = self.training.examples
        for code in self.code_ids:
            labelled = [e for e in examples if code in e.labels]
            positives = sum(e.labels[code] for e in labelled)
            figures = CodeFigures(positives, len(labelled) - positives, len({e.group for e in labelled}))
            if positives < MIN_EXAMPLES or figures.negatives < MIN_EXAMPLES:
                figures.skipped = f"too few reviewed units ({positives} positive, {figures.negatives} negative; " \
                                  f"at least {MIN_EXAMPLES} of each)"
            self.figures[code] = figures
        trained = [c for c in self.code_ids if not self.figures[c].skipped]
        if not trained:
            self.notes.append(note("--suggest-from", "no code has enough reviewed units for a second opinion",
                                   hint=f"each code needs at least {MIN_EXAMPLES} accepted or added and "
                                        f"{MIN_EXAMPLES} rejected or uncoded units of fully reviewed files"))
            return self
        try:
            self._vectorizer = _vectorizer().fit([e.unit.features for e in examples])
        except ValueError:                  # scikit-learn: "no terms remain" when no feature is in two units
            self.notes.append(note("--suggest-from", "the reviewed units share no word: no second opinion",
                                   hint="review more passages"))
            return self
        self._cross_validate(trained)
        self._names = self._vectorizer.get_feature_names_out()
        matrix = self._vectorizer.transform([e.unit.features for e in examples])
        for code in trained:
            rows = [i for i, e in enumerate(examples) if code in e.labels]
            self.models[code] = _classifier(self.seed).fit(matrix[rows], [examples[i].labels[code] for i in rows])
            self._candidates[code] = []
        return self

    def _cross_validate(self, codes: list[str]) -> None:
        """Out-of-fold scores, folds grouped by file: a file's units are never in training and test both."""
        from sklearn.model_selection import GroupKFold

        examples = self.training.examples
        groups = [e.group for e in examples]
        folds = min(FOLDS, len(set(groups)))
        if folds < 2:
            self.notes.append(note("--suggest-from", "the training data hold one file: no cross-validated figures",
                                   hint="review more files"))
            return
        for code in codes:
            self.figures[code].true_positives = self.figures[code].false_positives = 0
            self.figures[code].false_negatives = 0
            self.figures[code].folds = folds
        for train, test in GroupKFold(n_splits=folds).split(examples, groups=groups):
            vectorizer = _vectorizer()
            try:
                train_matrix = vectorizer.fit_transform([examples[i].unit.features for i in train])
            except ValueError:                      # no feature held by two units of this fold
                train_matrix = None
            test_matrix = vectorizer.transform([examples[i].unit.features for i in test]) \
                if train_matrix is not None else None
            for code in codes:
                fit = [i for i, index in enumerate(train) if code in examples[index].labels]
                check = [i for i, index in enumerate(test) if code in examples[index].labels]
                truth = np.array([examples[test[i]].labels[code] for i in check], dtype=int)
                labels = [examples[train[i]].labels[code] for i in fit]
                if train_matrix is None or len(set(labels)) < 2 or not check:
                    guess = np.zeros(len(check), dtype=int)     # nothing to learn from in this fold: no suggestion
                else:
                    model = _classifier(self.seed).fit(train_matrix[fit], labels)
                    guess = (model.predict_proba(test_matrix[check])[:, 1] >= THRESHOLD).astype(int)
                figures = self.figures[code]
                figures.true_positives += int(((guess == 1) & (truth == 1)).sum())
                figures.false_positives += int(((guess == 1) & (truth == 0)).sum())
                figures.false_negatives += int(((guess == 0) & (truth == 1)).sum())

    def score(self, result: FileResult) -> None:
        """Score the file's respondent units not coded with each code; keep the best of each code so far."""
        self._order += 1
        if not self.models:
            return
        if result.checksum in self.training.reviewed_files:
            self.skipped_files += 1          # its uncoded units were judged already: negatives of the training
            return
        units = respondent_units(result)
        if not units:
            return
        self.scored_units += len(units)
        coded = {unit: set(codes) for unit, codes in result.unit_codes}
        matrix = self._vectorizer.transform([u.features for u in units])
        for code, model in self.models.items():
            scores = model.predict_proba(matrix)[:, 1]
            kept = self._candidates[code]
            for row, (unit, value) in enumerate(zip(units, scores, strict=True)):
                if value >= THRESHOLD and code not in coded.get(unit.index, ()):
                    kept.append((-float(value), self._order, unit.index, unit, matrix[row]))
            if len(kept) > 4 * self.top:
                kept.sort(key=lambda k: k[:3])
                del kept[self.top:]

    def suggestions(self) -> pd.DataFrame:
        """The Suggested sheet: per code (codebook order) its best units, highest score first."""
        records = []
        for code in self.code_ids:
            for negative, _, _, unit, vector in sorted(self._candidates.get(code, []), key=lambda k: k[:3])[:self.top]:
                records.append(_record(unit, code, -negative, self._drivers(code, vector)))
        return pd.DataFrame(records, columns=SUGGESTED_COLUMNS)

    def _drivers(self, code: str, vector) -> str:
        """The unit's features that raised its score most (coefficient × weight, positive only)."""
        row = vector.tocoo()
        weights = row.data * self.models[code].coef_[0][row.col]
        order = sorted(range(len(weights)), key=lambda i: (-weights[i], row.col[i]))
        return ", ".join(shown(str(self._names[row.col[i]])) for i in order[:DRIVERS] if weights[i] > 0)

    def record(self) -> dict:
        """What run.json and the Run sheet say of the model, its training data and its figures."""
        suggested = {code: min(len(self._candidates.get(code, [])), self.top) for code in self.code_ids}
        codes = {code: {**self.figures[code].as_dict(), "suggested": suggested[code]} for code in self.code_ids}
        summary = [f"{MODEL}; C={C}, min_df={MIN_DF}, seed {self.seed}, top {self.top} per code from score "
                   f"{THRESHOLD}; trained on {len(self.training.examples):,} unit(s) of "
                   f"{len(self.training.sources)} reviewed workbook(s)"]
        untrained = [f"{code} ({entry['positives']}+ / {entry['negatives']}−)" for code, entry in codes.items()
                     if entry["skipped"]]
        if untrained and len(untrained) < len(codes):     # none trained: the note says so already
            # one line, not one a code: on a first round most codes have too few
            summary.append(f"no model for {len(untrained)} code(s), too few reviewed units (at least {MIN_EXAMPLES} "
                           f"positive and {MIN_EXAMPLES} negative each): {', '.join(untrained)}")
        for code, entry in codes.items():
            if entry["skipped"]:
                continue
            figures = "no cross-validated figures" if not entry["cv_folds"] else \
                f"cross-validated ({entry['cv_folds']} folds grouped by file) precision " \
                f"{_text(entry['cv_precision'])}, recall {_text(entry['cv_recall'])}"
            summary.append(f"{code}: {entry['positives']} positive / {entry['negatives']} negative unit(s) of "
                           f"{entry['files']} file(s); {figures}; {entry['suggested']} suggestion(s)")
        return {"model": {"kind": MODEL, "parameters": {"C": C, "min_df": MIN_DF, "seed": self.seed, "top": self.top,
                                                        "threshold": THRESHOLD, "min_examples": MIN_EXAMPLES,
                                                        "folds": FOLDS}},
                "training": self.training.sources, "codes": codes, "scored_units": self.scored_units,
                "skipped_training_files": self.skipped_files, "summary": summary}


def _text(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _record(unit: Unit, code: str, score: float, drivers: str) -> dict:
    return {"source_file": unit.source_file, "interviewee_id": unit.interviewee_id, "line": unit.line,
            "code": code, "score": round(score, 4), "drivers": drivers, "matched_text": unit.passage,
            "segment_text": unit.text, "decision": None, "note": None, "reviewer": None}
