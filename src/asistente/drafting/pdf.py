"""A letter draft as a PDF (fpdf2): A4, the text as drafted, nothing added or left out.

The PDF uses the standard Helvetica font, whose encoding is Latin-1 (every Spanish letter, ¿ and ¡ are in
it); the few characters outside it are replaced by their plain equivalents (€ -> EUR, curly quotes ->
straight ones, dashes -> -) so a letter never fails to print.
"""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

__all__ = ["letter_pdf"]

_REPLACE = {
    "€": "EUR",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
}


def latin1(text: str) -> str:
    out = []
    for ch in text:
        ch = _REPLACE.get(ch, ch)
        try:
            ch.encode("latin-1")
        except UnicodeEncodeError:
            ch = "?"
        out.append(ch)
    return "".join(out)


def letter_pdf(text: str, *, title: str, author: str, created: datetime) -> bytes:
    """The letter's text on A4 pages with 25 mm margins; ``created`` is the PDF's creation date."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(author))
    pdf.set_creator("asistente")
    pdf.set_creation_date(created)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5.5, latin1(text))
    return bytes(pdf.output())
