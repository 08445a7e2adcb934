"""Extraction: practice pages (HTML or text) in, facts with evidence out. Side-effect free: no Scrapy, no database."""

from directory.extraction.merge import merge_site
from directory.extraction.output import extract_file, facts_to_json
from directory.extraction.page import extract_page
from directory.extraction.pdf import pdf_text

__all__ = ["extract_file", "extract_page", "facts_to_json", "merge_site", "pdf_text"]
