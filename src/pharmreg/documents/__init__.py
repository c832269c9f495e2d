"""PDF documents: the registration certificate, the notices and decisions sent to applicants, and
the receipt of their materials."""

from pharmreg.documents.certificate import render_certificate
from pharmreg.documents.fonts import FontSet, MissingGlyphError, load_fonts
from pharmreg.documents.notices import render_notice
from pharmreg.documents.receipt import render_receipt
from pharmreg.documents.schemas import CertificateData, NoticeData, NoticeKind, ReceiptData, ReceiptMaterial

__all__ = [
    "CertificateData",
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
]
