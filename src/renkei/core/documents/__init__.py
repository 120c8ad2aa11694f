"""Printable documents: one plain description (`Document`), rendered to A4 PDF or A4 Word.

Any app builds a `Document` of blocks (headings, paragraphs, notices, key–value and grid tables)
and calls `render_pdf` or `render_docx`. The PDF embeds a Japanese TrueType font (see `fonts`), so
it reads the same on a machine without Japanese fonts; the Word file names Japanese fonts that
Word substitutes where they are missing. Nothing here knows about incidents or any other app.
"""

from renkei.core.documents.model import Block, Document, Heading, KeyValues, Notice, Paragraph, Table
from renkei.core.documents.pdf import render_pdf
from renkei.core.documents.word import render_docx

__all__ = ["Block", "Document", "Heading", "KeyValues", "Notice", "Paragraph", "Table", "render_docx", "render_pdf"]
