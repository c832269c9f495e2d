"""Form markup as assistive technology reads it: every control the server can refuse says so
(aria-invalid) and points at its message (aria-describedby); required controls say `required`;
no page asks officials to use a shell. Rendered from the templates, without a server."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from pharmreg.applications import CANCEL_REASONS, REISSUE_REASONS
from pharmreg.qualifications import Category
from pharmreg.register import EDUCATION_LEVELS, MAJORS, PracticeScope
from pharmreg.settings import PROJECT_ROOT
from pharmreg.web.templating import template_config

TEMPLATES = PROJECT_ROOT / "web" / "templates"


class Controls(HTMLParser):
    """Every input, select and textarea with its attributes, and every element id."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag in ("input", "select", "textarea") and values.get("type") not in ("hidden", "submit"):
            self.controls.append({"tag": tag, **values})


def parse(html: str) -> Controls:
    found = Controls()
    found.feed(html)
    return found


@pytest.fixture(scope="module")
def env():
    return template_config(PROJECT_ROOT / "web", csrf_token=lambda: "token").instance.engine


@pytest.mark.parametrize("matter", ["first_registration", "change", "cancellation", "reissue"])
def test_every_field_of_the_application_form_carries_its_state(env, matter: str) -> None:
    template = env.get_template("applications/_fields.html")
    context = {
        "matter": matter,
        "categories": list(Category),
        "scopes": list(PracticeScope),
        "cancel_reasons": CANCEL_REASONS,
        "reissue_reasons": REISSUE_REASONS,
        "education_levels": EDUCATION_LEVELS,
        "majors": MAJORS,
        "form": {},
    }
    clean = parse(template.render(context | {"errors": {}}))
    names = {c["name"] for c in clean.controls}
    errors = {name: f"{name} 有误" for name in names if name}
    refused = parse(template.render(context | {"errors": errors}))
    assert refused.controls
    for control in refused.controls:
        assert control.get("aria-invalid") == "true", control
        described = (control.get("aria-describedby") or "").split()
        assert described and all(i in refused.ids for i in described), control
        assert any(i.startswith("e-") for i in described), control
    for control in clean.controls:  # nothing is marked invalid before the server refused it
        assert "aria-invalid" not in control, control
        for ident in (control.get("aria-describedby") or "").split():
            assert ident in clean.ids, control
    required = {c["name"] for c in clean.controls if "required" in c}
    expected = {"declaration"} | (
        {"qualification_no", "scope", "unit_uscc"} if matter in ("first_registration",) else set()
    )
    if matter == "change":
        expected |= {"scope", "unit_uscc"}
    if matter in ("cancellation", "reissue"):
        expected |= {"reason"}
    assert expected <= required, (matter, required)
    assert "note" not in required and "qualification_no_2" not in required


def test_the_macros_tie_error_and_hint_to_their_control(env) -> None:
    source = (
        '{% from "_forms.html" import field, select, textarea, checkbox, checkboxes, radios %}'
        '{{ field("a", "甲", {}, errors, hint="提示", required=true) }}'
        '{{ select("b", "乙", [("1", "一")], {}, errors, hint="提示") }}'
        '{{ textarea("c", "丙", {}, errors) }}'
        '{{ checkbox("d", "丁", {}, errors, required=true) }}'
        '{{ checkboxes("e", "戊", [("1", "一"), ("2", "二")], [], errors) }}'
        '{{ radios("f", "己", [("1", "一")], {}, errors, required=true) }}'
    )
    template = env.from_string(source)
    refused = parse(template.render(errors=dict.fromkeys("abcdef", "错")))
    by_name: dict[str, list[dict[str, str | None]]] = {}
    for control in refused.controls:
        by_name.setdefault(str(control["name"]), []).append(control)
    assert by_name["a"][0]["aria-describedby"] == "e-a h-a" and "required" in by_name["a"][0]
    assert by_name["b"][0]["aria-describedby"] == "e-b h-b"
    for controls in by_name.values():
        for control in controls:
            assert control["aria-invalid"] == "true"
    assert {"e-a", "h-a", "e-b", "e-c", "e-d", "e-e", "e-f"} <= refused.ids
    assert all("required" in c for c in by_name["f"]) and "required" not in by_name["e"][0]


def test_every_field_error_in_the_templates_is_pointed_at() -> None:
    """A message beside a control is announced with it only when the control names the message."""
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        described = " ".join(re.findall(r'aria-describedby="([^"]*)"', text))
        for tag in re.findall(r'<(?:p|span) class="field-error"[^>]*>', text):
            ident = re.search(r'id="([^"]+)"', tag)
            if ident is None:
                problems.append(f"{path.relative_to(TEMPLATES)}: {tag} has no id")
            elif ident.group(1) not in described:
                problems.append(f"{path.relative_to(TEMPLATES)}: no control points at {ident.group(1)}")
    assert problems == []


def test_no_page_tells_officials_to_run_a_shell_command() -> None:
    shell = re.compile(r"pharmreg\s+(import|setup|users|tenants|migrate|demo)\b|\bops/")
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if shell.search(re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S))
    ]
    assert offenders == []


def test_scripts_are_static_files() -> None:
    """No inline script anywhere: a strict Content-Security-Policy can forbid them."""
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text(encoding="utf-8")):
            assert "src=" in tag, (path, tag)
