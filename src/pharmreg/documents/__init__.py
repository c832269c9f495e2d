"""PDF documents: the registration certificate, the notices and decisions sent to applicants, and
the receipt of their materials; statistics reports written as XLSX, PDF or CSV files."""

from pharmreg.documents.certificate import render_certificate
from pharmreg.documents.exports import CONTENT_TYPES, ENCODINGS, FORMATS, ExportFile, write_export
from pharmreg.documents.fonts import FontSet, MissingGlyphError, load_fonts
from pharmreg.documents.notices import render_notice
from pharmreg.documents.receipt import render_receipt
from pharmreg.documents.schemas import CertificateData, NoticeData, NoticeKind, ReceiptData, ReceiptMaterial

__all__ = [
    "CONTENT_TYPES",
    "ENCODINGS",
    "FORMATS",
    "CertificateData",
    "ExportFile",
    "FontSet",
    "MissingGlyphError",
    "NoticeData",
    "NoticeKind",
    "ReceiptData",
    "ReceiptMaterial",
    "load_fonts",
    "render_certificate",
    "render_notice",
    "render_receipt",
    "write_export",
]
