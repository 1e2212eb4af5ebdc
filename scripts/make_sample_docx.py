"""Write transcripts/p09_accessibility.docx, the sample's one Word transcript (illustrative text)."""

from pathlib import Path

import docx

PARAGRAPHS = [
    "Interview 09 — NGO specialist on digital accessibility (illustrative text written for the qcode demo)",
    "Interviewer: Which three keywords describe data justice for you?",
    "Ms Zhao: Accessibility comes first. Many government apps cannot be used by people with disabilities.",
    "Ms Zhao: Then fairness: blind users spend more time and money on the same service, which is unfair.",
    "Interviewer: And the third?",
    "Ms Zhao: Digital literacy, for the users and for the developers who build these apps.",
]


def main() -> None:
    document = docx.Document()
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    target = Path(__file__).resolve().parent.parent / "transcripts" / "p09_accessibility.docx"
    document.save(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
