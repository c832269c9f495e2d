"""What the link and form walker needs besides a server: a page read as a browser running htmx
reads it (links, htmx requests, forms), forms filled in as a person would, URL patterns for
deduplication, and checks that a downloaded file is what it claims to be."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from pharmreg.kit.codes import resident_id_check_char
from tests.applications.files import pdf, png

SITE = "http://testserver.local"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# A start tag of the key closes an open element of one of the values (the HTML rules the pages rely on).
IMPLIED_END = {
    "option": {"option"},
    "li": {"li"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
}
TEXT_TYPES = {
    "text",
    "search",
    "email",
    "tel",
    "url",
    "number",
    "date",
    "datetime-local",
    "month",
    "time",
    "password",
}


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)

    def label(self) -> str:
        """What a person reads on the element: its text, else its aria-label, title or value."""
        text = " ".join(self.text().split())
        return text or self.get("aria-label") or self.get("title") or self.get("value") or ""

    def ancestors(self) -> Iterator[Node]:
        node = self
        while node is not None:
            yield node
            node = node.parent  # type: ignore[assignment]

    def inherited(self, name: str) -> str | None:
        """An htmx attribute as htmx reads it: on the element or its closest ancestor."""
        for node in self.ancestors():
            if name in node.attrs:
                return node.attrs[name]
        return None


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        closes = IMPLIED_END.get(tag)
        if closes and self.stack[-1].tag in closes:
            self.stack.pop()
        node = Node(tag, {k: v if v is not None else "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# --------------------------------------------------------------------------- what a page offers


@dataclass
class Control:
    """One form control as the browser sees it."""

    name: str
    kind: str  # an input type, "select" or "textarea"
    value: str
    required: bool
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected), real options only
    multiple: bool = False
    accept: str = ""
    maxlength: int | None = None
    minimum: str | None = None


@dataclass(frozen=True)
class Submitter:
    name: str
    value: str
    label: str
    action: str | None = None
    method: str | None = None


@dataclass
class Form:
    method: str
    action: str
    mode: str  # "page" (no htmx), "boosted" or "htmx"
    multipart: bool
    controls: list[Control]
    submitters: list[Submitter]
    headers: dict[str, str]
    label: str

    def identity(self) -> tuple[object, ...]:
        """The same form on a fresh copy of the page has the same identity."""
        return (
            self.method,
            self.action,
            self.mode,
            tuple(sorted({c.name for c in self.controls})),
            tuple((s.name, s.value, s.action) for s in self.submitters),
        )

    def variants(self) -> list[Variant]:
        """What a person may choose when sending it: each submit button (or Enter in a field), and
        each option of a choice the page leaves open (a radio group with nothing checked)."""
        buttons: list[Submitter | None] = list(self.submitters) or [None]
        groups: dict[str, list[Control]] = {}
        for control in self.controls:
            if control.kind == "radio":
                groups.setdefault(control.name, []).append(control)
        open_choice = next((g for g in groups.values() if not any(c.checked for c in g)), None)
        if open_choice is None:
            return [Variant(button) for button in buttons]
        return [Variant(button, (c.name, c.value)) for button in buttons for c in open_choice]


@dataclass(frozen=True)
class Variant:
    submitter: Submitter | None = None
    choice: tuple[str, str] | None = None

    def __str__(self) -> str:
        parts = []
        if self.submitter is not None and self.submitter.name:
            parts.append(f"{self.submitter.name}={self.submitter.value}")
        if self.choice is not None:
            parts.append(f"{self.choice[0]}={self.choice[1]}")
        return "&".join(parts)

    def ident(self) -> str:
        """Tells apart buttons that differ only by where they send the form."""
        action = self.submitter.action if self.submitter is not None else None
        return f"{self}@{action}" if action else str(self)


@dataclass
class Found:
    """A request a person can cause from a page: following a link, an htmx trigger, a form."""

    kind: str  # "link", "htmx" or "form"
    method: str
    url: str
    mode: str  # "page", "boosted" or "htmx"
    label: str
    headers: dict[str, str] = field(default_factory=dict)
    values: list[tuple[str, str]] = field(default_factory=list)
    form: Form | None = None
    download: bool = False


def same_site(url: str) -> str | None:
    """The path and query of a link on this site, or None for another site or a non-HTTP link."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(SITE).netloc:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _htmx_headers(node: Node, page_url: str, target: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for ancestor in reversed(list(node.ancestors())):
        raw = ancestor.get("hx-headers")
        if raw:
            headers.update(json.loads(raw))
    headers["HX-Request"] = "true"
    headers["HX-Current-URL"] = SITE + page_url
    if node.get("id"):
        headers["HX-Trigger"] = node.attrs["id"]
    if target and target.startswith("#"):
        headers["HX-Target"] = target[1:]
    return headers


def _boosted(node: Node) -> bool:
    return node.inherited("hx-boost") == "true"


def _controls(form: Node, root: Node) -> list[tuple[Node, Control]]:
    form_id = form.get("id")
    nodes = [n for n in form.iter() if n.tag in ("input", "select", "textarea", "button")]
    if form_id:  # controls elsewhere on the page that name this form
        nodes += [n for n in root.iter() if n.get("form") == form_id and n not in nodes]
    found = []
    for node in nodes:
        name = node.get("name")
        kind = node.tag if node.tag != "input" else (node.get("type") or "text").lower()
        if node.tag == "button" or kind in ("submit", "button", "reset", "image") or not name:
            continue
        if node.has("disabled"):
            continue
        required = node.has("required") or node.get("aria-required") == "true"
        maxlength = node.get("maxlength")
        control = Control(
            name=name,
            kind=kind,
            value=node.get("value", "") or "",
            required=required,
            checked=node.has("checked"),
            accept=node.get("accept", "") or "",
            maxlength=int(maxlength) if maxlength and maxlength.isdigit() else None,
            minimum=node.get("min"),
        )
        if node.tag == "select":
            control.multiple = node.has("multiple")
            control.options = [
                (o.get("value", " ".join(o.text().split())) or "", o.has("selected"))
                for o in node.iter()
                if o.tag == "option" and not o.has("disabled")
            ]
        elif node.tag == "textarea":
            control.value = node.text().removeprefix("\n")
        found.append((node, control))
    return found


def _submitters(form: Node, root: Node, page_url: str) -> list[Submitter]:
    form_id = form.get("id")
    nodes = [n for n in form.iter() if n.tag in ("button", "input")]
    if form_id:
        nodes += [n for n in root.iter() if n.get("form") == form_id and n not in nodes]
    found = []
    for node in nodes:
        kind = (node.get("type") or ("submit" if node.tag == "button" else "text")).lower()
        if kind not in ("submit", "image") or node.has("disabled"):
            continue
        action = node.get("formaction")
        found.append(
            Submitter(
                name=node.get("name") or "",
                value=node.get("value", "") or "",
                label=node.label(),
                action=same_site(urljoin(SITE + page_url, action)) if action else None,
                method=(node.get("formmethod") or "").upper() or None,
            )
        )
    return found


def read_page(page_url: str, root: Node) -> list[Found]:
    """Everything on a page (or fragment) that sends a request when a person uses it."""
    base = SITE + page_url
    found: list[Found] = []
    for node in root.iter():
        if node.tag == "form":
            form = _read_form(node, root, page_url)
            if form is not None:
                found.append(Found("form", form.method, form.action, form.mode, form.label, form=form))
            continue
        for verb in ("get", "post"):
            target = node.get(f"hx-{verb}")
            if target is None or node.tag == "form":
                continue
            url = same_site(urljoin(base, target or page_url))
            if url is None:
                continue
            values = []
            if node.get("name") and node.tag in ("input", "select", "textarea"):
                values += _values_of(node)
            include = node.get("hx-include")
            if include and include != "this":
                for included in _select(root, node, include):
                    if included.tag == "form":
                        values += [v for n, c in _controls(included, root) for v in _values_of(n)]
                    elif included.get("name"):
                        values += _values_of(included)
            found.append(
                Found(
                    "htmx",
                    verb.upper(),
                    url,
                    "htmx",
                    node.label()[:60] or f"hx-{verb} on <{node.tag}>",
                    headers=_htmx_headers(node, page_url, node.inherited("hx-target")),
                    values=values,
                )
            )
        if node.tag == "a" and node.get("href"):
            href = node.attrs["href"]
            if href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            url = same_site(urljoin(base, href))
            if url is None:
                continue
            # An anchor with its own hx-get is not boosted: without scripts (or opened in a new tab)
            # its href is a plain page request.
            boosted = (
                _boosted(node)
                and node.get("target") in (None, "", "_self")
                and not (node.has("hx-get") or node.has("hx-post"))
            )
            found.append(
                Found(
                    "link",
                    "GET",
                    url.split("#", 1)[0],
                    "boosted" if boosted else "page",
                    node.label()[:60],
                    headers=_htmx_headers(node, page_url, None) | {"HX-Boosted": "true"} if boosted else {},
                    download=node.has("download"),
                )
            )
    return found


def _values_of(node: Node) -> list[tuple[str, str]]:
    name = node.attrs["name"]
    if node.tag == "select":
        options = [o for o in node.iter() if o.tag == "option"]
        chosen = [o for o in options if o.has("selected")] or [o for o in options if o.get("value")][:1]
        return [(name, o.get("value", "") or "") for o in chosen]
    if node.tag == "textarea":
        return [(name, node.text())]
    if (node.get("type") or "").lower() in ("checkbox", "radio") and not node.has("checked"):
        return []
    return [(name, node.get("value", "") or "")]


def _select(root: Node, node: Node, selector: str) -> list[Node]:
    """The few selector shapes the templates use in hx-include: #id, closest form."""
    selector = selector.strip()
    if selector.startswith("#"):
        return [n for n in root.iter() if n.get("id") == selector[1:]]
    if selector == "closest form":
        return [a for a in node.ancestors() if a.tag == "form"][:1]
    return []


def _read_form(node: Node, root: Node, page_url: str) -> Form | None:
    verb = next((v for v in ("post", "get") if node.get(f"hx-{v}") is not None), None)
    if verb is not None:
        method, target, mode = verb.upper(), node.attrs[f"hx-{verb}"], "htmx"
    else:
        method = (node.get("method") or "get").upper()
        if method == "DIALOG":
            return None
        target = node.get("action") or ""
        mode = "boosted" if _boosted(node) else "page"
    action = same_site(urljoin(SITE + page_url, target or page_url))
    if action is None:
        return None
    if method == "GET" and mode != "htmx":
        action = action.split("?", 1)[0]  # a GET form's fields replace the action's query
    controls = [c for _n, c in _controls(node, root)]
    submitters = _submitters(node, root, page_url)
    headers = _htmx_headers(node, page_url, node.inherited("hx-target")) if mode != "page" else {}
    if mode == "boosted":
        headers["HX-Boosted"] = "true"
    multipart = "multipart" in (node.get("hx-encoding") or node.get("enctype") or "")
    heading = node.get("aria-label") or (submitters[0].label if submitters else "")
    return Form(method, action, mode, multipart, controls, submitters, headers, heading[:60])


# --------------------------------------------------------------------------- filling a form in


@dataclass
class Persona:
    """What a person enters about themselves and their work, and makes up the rest plausibly."""

    password: str
    name: str = "林晓彤"
    id_number: str = ""
    mobile: str = ""
    qualification_no: str = ""
    certificate_no: str = ""  # of a registration (public verification)
    unit_uscc: str = ""
    division_code: str = "440106"
    province: str = "gd"  # chosen where a form asks for the province
    query_code: str = ""  # of the last consultation the person filed
    search: str = "药"  # what they look for in a search box
    address: str = "广州市天河区体育西路 103 号"
    today: date = field(default_factory=date.today)
    serial: Iterator[int] = field(default_factory=lambda: _SERIAL)


NEW_PASSWORD = "Walker#Pass2026"
_SERIAL = itertools.count(1)  # shared: what one person names, the next does not name the same


def _resident_id(serial: int) -> str:
    first17 = f"440106199{serial % 10}0314{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def plausible(
    control: Control, persona: Persona, captchas: dict[str, str], fields: dict[str, str], action: str
) -> str:
    """What a person would type into an empty field, judged by its type and name (and the form's
    address: the code of a tracking form is the query code the person was given)."""
    name, kind = control.name.lower(), control.kind
    n = next(persona.serial)
    if name == "code" and "track" in action:
        return persona.query_code or "ABCD-EFGH-JKMN-PQRS"
    if kind == "password":
        if "current" in name or "old" in name:
            return persona.password
        return NEW_PASSWORD
    if name == "captcha":
        return captchas.get(fields.get("captcha_token", ""), "0000")
    if "totp" in name or name in ("code", "otp", "sms_code"):
        return "000000"
    if "id_number" in name or "document_number" in name or name == "id_no":
        return persona.id_number or _resident_id(n)
    if "mobile" in name or "phone" in name or kind == "tel":
        return persona.mobile if persona.mobile and "new" not in name else f"139{70000000 + n:08d}"
    if kind == "email" or "email" in name:
        return f"walker{n}@example.cn"
    if "uscc" in name:
        return persona.unit_uscc
    if "qualification" in name:
        return persona.qualification_no or f"DEMOGD{n:05d}"
    if "certificate" in name:
        return persona.certificate_no or persona.qualification_no or f"DEMOGD{n:05d}"
    if kind == "date" or name.endswith(("_on", "_date", "date", "_until", "_from")):
        if "birth" in name:
            return "1990-03-14"
        return (persona.today + timedelta(days=30 if "until" in name or "end" in name else 7)).isoformat()
    if kind == "datetime-local" or name.endswith("_at"):
        return f"{persona.today + timedelta(days=1)}T09:30"
    if kind == "month":
        return f"{persona.today:%Y-%m}"
    if kind == "time":
        return "09:30"
    if "postcode" in name or "zip" in name:
        return "510030"
    if "question" in name:
        return f"执业药师注册证遗失后如何补办？（{n}）"
    if "answer" in name:
        return "请登录平台提交补办申请，并上传遗失声明。"
    if kind == "number" or name in ("hours", "credits", "days", "limit", "score"):
        return control.minimum if control.minimum not in (None, "") else "10"
    if "year" in name:
        return str(persona.today.year)
    if name in ("division", "division_code", "code", "region") or name.endswith("_division"):
        return persona.division_code
    if "username" in name or name == "login":
        return f"walker.{n}"
    if name in ("name", "full_name", "realname", "person_name", "applicant_name"):
        return persona.name
    if name.endswith("name"):  # of a board, a unit, a file: something new, so not a duplicate
        return f"药师服务{n}"
    if "address" in name:
        return persona.address
    if name in ("q", "query", "keyword", "search"):
        return persona.search
    if kind == "url" or "url" in name or "link" in name:
        return "https://www.nmpa.gov.cn/"
    if "title" in name or "subject" in name:
        return f"关于执业药师注册工作的通知（{n}）"
    if kind == "textarea" or any(
        w in name for w in ("reason", "note", "comment", "opinion", "body", "content")
    ):
        return "经核查，材料齐全，符合规定。"
    return "测试"


def attachment_for(accept: str) -> tuple[str, bytes, str]:
    """A small file that a person would pick for a file input accepting these types."""
    accept = accept.lower()
    if accept and "pdf" not in accept and ("image" in accept or "png" in accept or "jpg" in accept):
        return ("照片.png", png(), "image/png")
    if accept and "pdf" not in accept and ("csv" in accept or "xlsx" in accept or "spreadsheet" in accept):
        return ("数据.csv", "姓名,身份证号\n".encode("utf-8-sig"), "text/csv")
    return ("材料.pdf", pdf("walker"), "application/pdf")


def fill(
    form: Form, variant: Variant, persona: Persona, captchas: dict[str, str], *, thorough: bool = False
) -> tuple[list[tuple[str, str]], list[tuple[str, tuple[str, bytes, str]]]]:
    """The fields and files a person sends: values on the page kept, the first real option of each
    select (the person's own province where it is one), the required empty fields filled in; and,
    `thorough`ly, after the form was refused: every empty field and an unticked box of each group."""
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, tuple[str, bytes, str]]] = []
    known = {c.name: c.value for c in form.controls if c.kind == "hidden"}
    radios_done: set[str] = set()
    radio_groups: dict[str, list[Control]] = {}
    for control in form.controls:
        if control.kind == "radio":
            radio_groups.setdefault(control.name, []).append(control)
    for control in form.controls:
        kind = control.kind
        if kind == "file":
            if form.method == "POST":
                files.append((control.name, attachment_for(control.accept)))
            continue
        if kind == "checkbox":
            group = [c for c in form.controls if c.kind == "checkbox" and c.name == control.name]
            first_of_unticked = not any(c.checked for c in group) and group[0] is control
            if control.checked or (
                form.method == "POST" and (control.required or (thorough and first_of_unticked))
            ):
                fields.append((control.name, control.value or "on"))
            continue
        if kind == "radio":
            if control.name in radios_done:
                continue
            group = radio_groups[control.name]
            chosen = next((c for c in group if c.checked), None)
            if variant.choice is not None and variant.choice[0] == control.name:
                chosen = next(c for c in group if c.value == variant.choice[1])
            if chosen is None and (form.method == "POST" or control.required):
                chosen = group[0]
            if chosen is not None:
                fields.append((control.name, chosen.value or "on"))
            radios_done.add(control.name)
            continue
        if kind == "select":
            selected = [v for v, s in control.options if s]
            if not selected:
                real = [v for v, _s in control.options if v]
                own = [v for v in real if v == persona.province]
                selected = own or real[:1] or [v for v, _s in control.options][:1]
            fields += [(control.name, v) for v in (selected if control.multiple else selected[:1])]
            continue
        value = control.value
        if not value and (control.required or (thorough and form.method == "POST" and kind != "hidden")):
            value = plausible(control, persona, captchas, known, form.action)
        if not value and form.method == "GET" and control.name in ("q", "keyword") and kind != "hidden":
            value = persona.search
        if control.maxlength is not None:
            value = value[: control.maxlength]
        fields.append((control.name, value))
    if variant.submitter is not None and variant.submitter.name:
        fields.append((variant.submitter.name, variant.submitter.value))
    return fields, files


def form_request(form: Form, variant: Variant) -> tuple[str, str]:
    """(method, URL) the chosen button sends the form with."""
    button = variant.submitter if form.mode != "htmx" else None
    method = (button.method if button else None) or form.method
    action = (button.action if button else None) or form.action
    return method, action


def with_query(url: str, fields: list[tuple[str, str]]) -> str:
    if not fields:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(fields)}"


# --------------------------------------------------------------------------- deduplication

_ID = re.compile(
    r"\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|.*\d{4,}.*",
    re.IGNORECASE,
)
_ENUMERATED = re.compile(r"[a-z][a-z_]{0,30}")


def pattern(url: str, others: frozenset[str] = frozenset()) -> str:
    """A URL with its ids replaced, the provinces not walked (`others`) taken as one, and its query
    reduced to parameter names and the enumerated values (tabs, categories, matters) it selects."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if segment in others:
            segments[index] = "{province}"
        elif segment and _ID.fullmatch(segment):
            segments[index] = "{id}"
    query = sorted(
        {
            key if not _ENUMERATED.fullmatch(value) else f"{key}={'{province}' if value in others else value}"
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
        }
    )
    return "/".join(segments) + (f"?{'&'.join(query)}" if query else "")


# --------------------------------------------------------------------------- downloads and text

FILE_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/csv": ".csv",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}


def download_problem(content_type: str, disposition: str, body: bytes) -> str | None:
    """Why a downloaded file is not what its headers claim, or None when it is."""
    mime = content_type.split(";", 1)[0].strip().lower()
    try:
        if mime == "application/pdf":
            if not body.startswith(b"%PDF-") or not PdfReader(io.BytesIO(body)).pages:
                return "not a readable PDF"
        elif mime.endswith("spreadsheetml.sheet"):
            if not zipfile.is_zipfile(io.BytesIO(body)):
                return "not an XLSX workbook"
            load_workbook(io.BytesIO(body), read_only=True).close()
        elif mime == "text/csv":
            rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
            if not rows:
                return "an empty CSV file"
        elif mime in ("image/png", "image/jpeg"):
            Image.open(io.BytesIO(body)).verify()
    except Exception as exc:  # whatever the reader says, the file does not open
        return f"does not open as {mime}: {type(exc).__name__}: {exc}"
    filename = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", disposition or "", re.IGNORECASE)
    extension = FILE_TYPES.get(mime)
    if filename and extension:
        name = filename.group(1).lower()
        if not name.endswith((extension, ".jpeg") if extension == ".jpg" else extension):
            return f"served as {mime} under the name {filename.group(1)!r}"
    return None


_RAW_CODE = re.compile(r"(?<![\w/.-])[a-z]+(?:_[a-z0-9]+)+(?![\w/.-])")
_RAW_WORD = re.compile(r"(?<![\w-])(None|null|undefined|True|False|nan)(?![\w-])|\{\{|\{%")
_INVISIBLE = {"script", "style", "code", "pre", "textarea", "template"}


def raw_text(root: Node) -> list[str]:
    """Visible text that looks like an internal code or a template value rather than Chinese."""
    found: list[str] = []

    def walk(node: Node) -> None:
        if node.tag in _INVISIBLE:
            return
        for child in node.children:
            if isinstance(child, Node):
                walk(child)
            else:
                for regex in (_RAW_CODE, _RAW_WORD):
                    found.extend(m.group(0) for m in regex.finditer(child))

    walk(root)
    return found
