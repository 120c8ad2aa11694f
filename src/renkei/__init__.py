"""Renkei (連携): supply-chain security management."""

import os

# python-docx (the incident report drafts) installs lxml, and openpyxl then parses workbooks with lxml
# instead of defusedxml. Uploaded workbooks come from outside, so keep openpyxl on its defusedxml
# parser. It must be set before anything imports openpyxl, which reads it once at import.
os.environ["OPENPYXL_LXML"] = "False"

__version__ = "0.1.0"
