"""qcode: code bilingual (Chinese/English) interview transcripts against a codebook."""

__version__ = "0.1.0"

from .codebook import load_codebook  # noqa: E402
from .errors import PipelineError, Problem  # noqa: E402
from .ingest import read_transcript  # noqa: E402
from .roster import read_roster  # noqa: E402
from .run import RunOptions, run_corpus  # noqa: E402

__all__ = ["__version__", "load_codebook", "read_roster", "read_transcript", "run_corpus", "RunOptions",
           "PipelineError", "Problem"]
