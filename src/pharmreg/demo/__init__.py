"""Demo data: realistic provinces, officers, applicants and practice units, made by code."""

from pharmreg.demo.cases import demo_pharmacists
from pharmreg.demo.loader import (
    DEMO_PASSWORD,
    DEMO_PROVINCES,
    DemoLogin,
    DemoReport,
    demo_logins,
    load_demo,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_PROVINCES",
    "DemoLogin",
    "DemoReport",
    "demo_logins",
    "demo_pharmacists",
    "load_demo",
]
