"""PDF documents: the registration certificate and the notices and decisions sent to applicants."""

from pharmreg.documents.certificate import render_certificate
from pharmreg.documents.fonts import FontSet, MissingGlyphError, load_fonts
from pharmreg.documents.notices import render_notice
from pharmreg.documents.schemas import CertificateData, NoticeData, NoticeKind

__all__ = [
    "CertificateData",
    "FontSet",
    "MissingGlyphError",
    "NoticeData",
    "NoticeKind",
    "load_fonts",
    "render_certificate",
    "render_notice",
]
