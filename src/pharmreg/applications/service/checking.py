"""The pre-check of an application: gathering national and provincial facts for the pure rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import repository
from pharmreg.applications.checks import (
    CheckInput,
    Finding,
    HeldRegistration,
    Person,
    UnitFacts,
    precheck,
)
from pharmreg.applications.models import Application
from pharmreg.kit.clock import CHINA_TIME
from pharmreg.practice import practice_unit_by_uscc
from pharmreg.qualifications import ce_years, find_qualification, qualifications_of
from pharmreg.register import (
    Province,
    RegistrationRules,
    get_registration,
    national_active,
    open_case_of,
    person_key,
)

# --- pre-check ---------------------------------------------------------------------------------


async def gather(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    matter: str,
    form: Mapping[str, str],
    person: Person,
    rules: RegistrationRules,
    today: date,
    own_ref: str | None = None,
    materials: frozenset[str] = frozenset(),
    for_submission: bool = False,
    filed_on: date | None = None,
) -> CheckInput:
    """Everything the rules look at: national qualification, register and CE data, the province's units."""
    key = person_key(person.id_type, person.id_number)
    numbers = [n for n in (form.get("qualification_no", ""), form.get("qualification_no_2", "")) if n]
    found = {
        n: await find_qualification(national, name=person.name, id_number=person.id_number, certificate_no=n)
        for n in numbers
    }
    unit = None
    if form.get("unit_uscc"):
        read = await practice_unit_by_uscc(session, form["unit_uscc"])
        if read is not None:
            unit = UnitFacts(
                read.id,
                read.uscc,
                read.name,
                read.unit_type,
                read.licence_valid_until,
                read.division_code,
                read.status,
            )
    held = None
    entry = await national_active(national, key)
    if entry is not None:
        unit_id = None
        if entry.tenant == province.slug:
            current = await get_registration(session, entry.registration_id)
            unit_id = current.practice_unit_id if current else None
        held = HeldRegistration(
            entry.tenant,
            entry.region,
            entry.registration_id,
            entry.certificate_no,
            entry.categories,
            entry.scope,
            unit_id,
            entry.valid_from,
            entry.valid_until,
        )
    elsewhere = None
    case = await open_case_of(national, key)
    if case is not None and case[1] != own_ref:
        elsewhere = (case[0], case[1])
    return CheckInput(
        matter=matter,
        tenant=province.slug,
        form=form,
        person=person,
        today=today,
        rules=rules,
        qualifications=found,
        all_qualifications=await qualifications_of(national, person.id_number)
        if matter != "first_registration"
        else (),
        unit=unit,
        held=held,
        open_elsewhere=elsewhere,
        ce=await ce_years(national, person.id_number) if matter in ("renewal", "first_registration") else {},
        materials=materials,
        for_submission=for_submission,
        filed_on=filed_on,
    )


def person_of(app: Application) -> Person:
    return Person(app.applicant_name, app.id_type, app.id_number, app.birth_date)


async def check_application(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    app: Application,
    rules: RegistrationRules,
    today: date,
    for_submission: bool = False,
) -> list[Finding]:
    materials = frozenset(a.material for a in await repository.attachments(session, app.id))
    data = await gather(
        session,
        national,
        province=province,
        matter=app.matter,
        form=app.form,
        person=person_of(app),
        rules=rules,
        today=today,
        own_ref=app.ref,
        materials=materials,
        for_submission=for_submission,
        filed_on=app.submitted_at.astimezone(CHINA_TIME).date() if app.submitted_at else None,
    )
    return precheck(data)
