"""qcode: code bilingual (Chinese/English) interview transcripts against a codebook.

The public Python API, re-exported lazily (importing `pipeline` imports neither spaCy nor pandas):

    import pipeline as qcode
    coded = qcode.code_corpus("transcripts")          # DataFrames; nothing written
    run = qcode.load_run("outputs/sample")            # a run folder's tables
    report = qcode.run_corpus(qcode.RunOptions(transcripts=Path("transcripts"), out=Path("outputs/x")))
"""

from importlib import import_module

from pipeline.versions import __version__

_EXPORTS = {
    "code_corpus": "pipeline.api", "CodedCorpus": "pipeline.api", "code_transcript": "pipeline.api",
    "load_codebook": "pipeline.read.codebook", "read_roster": "pipeline.read.roster",
    "read_transcript": "pipeline.read.transcripts", "load_run": "pipeline.runfolder.load",
    "PipelineError": "pipeline.errors", "Problem": "pipeline.errors",
    "RunOptions": "pipeline.commands.run", "run_corpus": "pipeline.commands.run",
    "CheckOptions": "pipeline.commands.check", "run_check": "pipeline.commands.check",
    "AuditOptions": "pipeline.commands.audit", "run_audit": "pipeline.commands.audit",
    "CompareOptions": "pipeline.commands.compare", "run_comparison": "pipeline.commands.compare",
    "ScoresOptions": "pipeline.commands.scores", "run_scores": "pipeline.commands.scores",
    "ExportCodebookOptions": "pipeline.commands.export_codebook",
    "export_codebook": "pipeline.commands.export_codebook",
    "ExportProjectOptions": "pipeline.commands.export_project",
    "export_project": "pipeline.commands.export_project",
    "ImportCodebookOptions": "pipeline.commands.import_codebook",
    "import_codebook": "pipeline.commands.import_codebook",
    "AgreementOptions": "pipeline.commands.agreement", "compare_codings": "pipeline.commands.agreement",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
