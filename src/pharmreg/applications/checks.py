"""The pre-check (预审) of an application: every rule, pure, all problems listed at once.

The same function serves the form as it is filled, the mock application, submission and the
officer's view of the case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from pharmreg.applications.materials import materials_for
from pharmreg.kit.codes import CodeError, check_uscc, parse_resident_id
from pharmreg.practice import registration_barrier
from pharmreg.qualifications import Category, CeYear, QualificationRead
from pharmreg.register import PracticeScope, RegistrationRules

CANCEL_REASONS = {
    "left_post": "本人离职或不再从事执业药师工作",
    "unit_closed": "执业单位注销或停业",
    "personal": "本人申请",
    "other": "其他原因",
}
REISSUE_REASONS = {"lost": "注册证遗失", "damaged": "注册证损毁"}


@dataclass(frozen=True, slots=True)
class Finding:
    field: str
    message: str
    level: str = "error"  # or "warning": shown, recorded, never blocks


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_type: str
    id_number: str
    birth_date: date


@dataclass(frozen=True, slots=True)
class UnitFacts:
    id: int
    uscc: str
    name: str
    unit_type: str
    licence_valid_until: date
    division_code: str
    status: str


@dataclass(frozen=True, slots=True)
class HeldRegistration:
    """The person's active registration as the national index holds it."""

    tenant: str
    region: str
    registration_id: int
    certificate_no: str
    categories: str
    scope: str
    practice_unit_id: int | None
    valid_from: date
    valid_until: date


@dataclass(frozen=True, slots=True)
class CheckInput:
    matter: str
    tenant: str
    form: Mapping[str, str]
    person: Person
    today: date
    rules: RegistrationRules
    qualifications: Mapping[str, QualificationRead | None] = field(default_factory=dict)
    all_qualifications: Sequence[QualificationRead] = ()
    unit: UnitFacts | None = None
    held: HeldRegistration | None = None
    # Another application of this person in progress anywhere: (province name, reference).
    open_elsewhere: tuple[str, str] | None = None
    ce: Mapping[int, CeYear] = field(default_factory=dict)
    materials: frozenset[str] = frozenset()
    for_submission: bool = False
    # The day the application was first filed: time rules (renewal lead time, CE years) are judged
    # as of then, so a supplement or a slow decision never turns a timely application into a late one.
    filed_on: date | None = None


def precheck(data: CheckInput) -> list[Finding]:
    """Every problem and warning of the application, in form order."""
    found: list[Finding] = []
    _identity(data, found)
    if data.open_elsewhere is not None:
        region, ref = data.open_elsewhere
        found.append(
            Finding("", f"您有正在办理的申请（{region}，申请号 {ref}），办结或撤回后才能再提交新的申请")
        )
    match data.matter:
        case "first_registration":
            if data.held is not None:
                found.append(
                    Finding(
                        "",
                        f"您在{data.held.region}已有有效注册（注册证 {data.held.certificate_no}），"
                        "请申请变更注册或延续注册",
                    )
                )
            _qualification_numbers(data, found)
            found_qualifications = [q for q in data.qualifications.values() if q is not None]
            _terms(data, found, covered_by=found_qualifications)
            if found_qualifications:
                last_year = (data.filed_on or data.today).year - 1
                _credits(data, [last_year], found, found_qualifications)
        case "change":
            held = _need_held(data, found, same_province=False)
            _terms(data, found, covered_by=data.all_qualifications)
            if (
                held is not None
                and held.tenant == data.tenant
                and not found
                and data.unit is not None
                and data.unit.id == held.practice_unit_id
                and _categories(data) == held.categories
                and data.form.get("scope", "") == held.scope
            ):
                found.append(Finding("", "变更内容与现有注册相同，请填写需要变更的执业单位、类别或范围"))
        case "renewal":
            held = _need_held(data, found, same_province=True)
            if held is not None:
                _renewal(data, held, found)
        case "cancellation":
            _need_held(data, found, same_province=True)
            if data.form.get("reason", "") not in CANCEL_REASONS:
                found.append(Finding("reason", "请选择注销原因"))
        case "reissue":
            if not data.rules.reissue_enabled:
                found.append(Finding("", "本省未开通补办注册证业务"))
            _need_held(data, found, same_province=True)
            if data.form.get("reason", "") not in REISSUE_REASONS:
                found.append(Finding("reason", "请选择补办原因"))
        case _:
            found.append(Finding("", "不支持的申请事项"))
    _age(data, found)
    if data.for_submission:
        _submission(data, found)
    return found


def _identity(data: CheckInput, found: list[Finding]) -> None:
    if data.person.id_type == "resident_id":
        try:
            parse_resident_id(data.person.id_number, today=data.today)
        except CodeError as exc:
            found.append(Finding("", f"账户中的身份证号码无效：{exc}，请联系注册机关更正"))


def _qualification_numbers(data: CheckInput, found: list[Finding]) -> None:
    numbers = [
        n for n in (data.form.get("qualification_no", ""), data.form.get("qualification_no_2", "")) if n
    ]
    if not numbers:
        found.append(Finding("qualification_no", "请填写执业药师职业资格证书编号"))
        return
    for index, number in enumerate(numbers):
        if data.qualifications.get(number) is None:
            name = "qualification_no" if index == 0 else "qualification_no_2"
            found.append(
                Finding(
                    name,
                    f"未在全国执业药师资格数据中找到证书 {number}："
                    "请核对证书编号，以及账户姓名、证件号码是否与证书一致",
                )
            )


def _categories(data: CheckInput) -> str:
    chosen = [c.strip() for c in data.form.get("categories", "").split(",") if c.strip()]
    return ",".join(c.value for c in Category if c.value in chosen)


def _terms(data: CheckInput, found: list[Finding], *, covered_by: Sequence[QualificationRead]) -> None:
    """Category, scope and practice unit: the terms a registration is granted on."""
    categories = _categories(data)
    if not categories:
        found.append(Finding("categories", "请选择执业类别"))
    else:
        held = {q.category.value for q in covered_by}
        for code in categories.split(","):
            if code not in held and (covered_by or data.matter != "first_registration"):
                found.append(
                    Finding(
                        "categories", f"执业类别“{Category(code).label}”需要对应类别的执业药师职业资格证书"
                    )
                )
    scope = data.form.get("scope", "")
    if scope not in {s.value for s in PracticeScope}:
        found.append(Finding("scope", "请选择执业范围"))
    uscc = data.form.get("unit_uscc", "").strip().upper()
    if not uscc:
        found.append(Finding("unit_uscc", "请填写执业单位统一社会信用代码"))
        return
    try:
        check_uscc(uscc)
    except CodeError as exc:
        found.append(Finding("unit_uscc", str(exc)))
        return
    unit = data.unit
    if unit is None:
        found.append(
            Finding("unit_uscc", "本省执业单位库中没有该单位：请核对代码，或确认所选省份是执业单位所在省份")
        )
        return
    barrier = registration_barrier(unit.status, unit.licence_valid_until, data.today)
    if barrier:
        found.append(Finding("unit_uscc", f"执业单位“{unit.name}”当前不能注册执业药师（{barrier}）"))
    allowed = data.rules.unit_type_scopes.get(unit.unit_type, frozenset())
    if scope in {s.value for s in PracticeScope} and scope not in allowed:
        labels = "、".join(PracticeScope(s).label for s in sorted(allowed)) or "无"
        found.append(Finding("scope", f"该类执业单位只能注册以下执业范围：{labels}"))


def _need_held(data: CheckInput, found: list[Finding], *, same_province: bool) -> HeldRegistration | None:
    held = data.held
    if held is None:
        found.append(Finding("", "您目前没有有效的执业药师注册，请申请首次注册"))
        return None
    if same_province and held.tenant != data.tenant:
        found.append(Finding("", f"您的注册在{held.region}，请向{held.region}药品监督管理部门提出申请"))
        return None
    return held


def _renewal(data: CheckInput, held: HeldRegistration, found: list[Finding]) -> None:
    filed = data.filed_on or data.today
    if held.valid_until < filed:
        found.append(Finding("", f"注册已于 {held.valid_until:%Y-%m-%d} 届满，不能延续，请重新申请首次注册"))
        return
    lead = data.rules.renewal_lead_days
    if (held.valid_until - filed).days < lead:
        found.append(
            Finding("", f"延续注册应在有效期届满 {lead} 日前提出（有效期至 {held.valid_until:%Y-%m-%d}）")
        )
    _credits(data, range(held.valid_from.year, filed.year), found)


def _exempt_years(data: CheckInput, qualifications: Sequence[QualificationRead]) -> set[int]:
    """Years overlapping the first year after qualifying, when no CE is required."""
    years: set[int] = set()
    for q in qualifications:
        years.add(q.obtained_on.year)
        if (q.obtained_on.month, q.obtained_on.day) != (1, 1):
            years.add(q.obtained_on.year + 1)
    return years


def _credits(
    data: CheckInput,
    years: Iterable[int],
    found: list[Finding],
    qualifications: Sequence[QualificationRead] = (),
) -> None:
    """Each year's public and professional credits against the province's requirement.

    A shortfall is an error, unless the applicant uploaded proof of credits the platform has
    not received (or of aid service that counts as a year): then the officer weighs it.
    """
    held = qualifications or data.all_qualifications
    exempt = _exempt_years(data, held)
    first_year = min((q.obtained_on.year for q in held), default=0)
    proof = "ce_proof" in data.materials
    for year in years:
        if year in exempt or year < first_year:
            continue  # no CE before qualifying, nor in the first year after it
        need_public, need_professional = data.rules.ce_required(year)
        got = data.ce.get(year)
        public = got.public if got else 0
        professional = got.professional if got else 0
        if public < need_public or professional < need_professional:
            message = (
                f"{year}年度继续教育学分不足：公需科目 {public}/{need_public}，"
                f"专业科目 {professional}/{need_professional}"
            )
            if proof:
                found.append(Finding("ce", message + "（已上传学分证明，由审核人员核对）", level="warning"))
            else:
                found.append(Finding("ce", message + "；平台尚无记录的，请上传继续教育学分证明"))


def _age(data: CheckInput, found: list[Finding]) -> None:
    born = data.person.birth_date
    age = data.today.year - born.year - ((data.today.month, data.today.day) < (born.month, born.day))
    if data.matter in ("first_registration", "renewal", "change") and age >= data.rules.age_warning:
        found.append(Finding("", f"申请人已年满 {age} 周岁，请确认能够正常履行执业药师职责", level="warning"))


def _submission(data: CheckInput, found: list[Finding]) -> None:
    for item in materials_for(data.matter):
        if item.required and item.key not in data.materials:
            found.append(Finding(f"material_{item.key}", f"请上传：{item.label}"))
    if data.form.get("declaration") != "yes":
        found.append(Finding("declaration", "请阅读并勾选承诺事项"))


def blocking(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "error"]
