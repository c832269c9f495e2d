"""National read models fed from the provinces through the outbox."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, deferred, mapped_column

from pharmreg.kit.db import NationalBase


class ProvinceStat(NationalBase):
    """One figure of one province, e.g. how many practice units it has."""

    __tablename__ = "province_stat"

    tenant_slug: Mapped[str] = mapped_column(String(41), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# --- analytic facts ----------------------------------------------------------------------------
# The national read model of each province's registrations, cases, complaints and consultations
# and practice units. No personal data: a person is a keyed hash of their ID document, the same in
# every province. Every row names its province and the province's own id of what it describes, so
# a redelivered event, a rebuild and the nightly recount all land on the same row.


class FactRegistration(NationalBase):
    """One registration event (first, change, renewal, transfer in or out, cancellation, expiry)."""

    __tablename__ = "fact_registration"
    __table_args__ = (
        Index("ix_fact_registration_effective", "effective_on", "kind"),
        # A province's events by date, with what its 月报 and custom query count them by: an
        # index-only scan of the province's entries instead of a heap page for nearly every event.
        Index(
            "ix_fact_registration_tenant_effective",
            "tenant",
            "effective_on",
            postgresql_include=[
                "ends_on",
                "valid_until",
                "kind",
                "city_code",
                "county_code",
                "categories",
                "field",
            ],
        ),
        # Each registration's events in order, for settling `ends_on` of one registration.
        Index("ix_fact_registration_history", "tenant", "registration_id", "effective_on", "event_id"),
        # Registrations in validity: the events whose terms still hold at some date, with what the
        # supervision views count them by (an index-only scan for the monthly figures).
        Index(
            "ix_fact_registration_holding",
            "effective_on",
            "ends_on",
            postgresql_include=["tenant", "field"],
            postgresql_where=text("ends_on > effective_on"),
        ),
    )

    tenant: Mapped[str] = mapped_column(String(41), primary_key=True)
    # The province's registration_history id of the event.
    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    registration_id: Mapped[int] = mapped_column(Integer)
    person_hash: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    effective_on: Mapped[date] = mapped_column(Date)
    # A cancellation's ground, as the decision names it.
    ground: Mapped[str | None] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6))
    county_code: Mapped[str] = mapped_column(String(6))
    categories: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(32))
    practice_unit_id: Mapped[int] = mapped_column(Integer)
    unit_type: Mapped[str | None] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(16))
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    education: Mapped[str | None] = mapped_column(String(20))
    major: Mapped[str | None] = mapped_column(String(40))
    # The registration's expiry date after this event; none once the event closed it.
    valid_until: Mapped[date | None] = mapped_column(Date)
    # The first day this event's terms no longer hold: the next event of the registration, or the
    # day after `valid_until`, whichever is first; the event's own date for a closing event. Kept
    # by the facts' writers (repository.settle_registration_ends), so that "in validity on D" is
    # the range test effective_on <= D < ends_on.
    ends_on: Mapped[date | None] = mapped_column(Date)


class FactValidityMonth(NationalBase):
    """Per province, practice field and month: how many registration events start holding (+1
    each) and stop holding (-1 each) in that month. The running sum over the months is the number
    of registrations in validity at each month's end, so national monthly figures read a few
    thousand rows instead of the registration history. Kept with `ends_on` by the facts' writers."""

    __tablename__ = "fact_validity_month"

    tenant: Mapped[str] = mapped_column(String(41), primary_key=True)
    field: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    change: Mapped[int] = mapped_column(Integer)


class FactCase(NationalBase):
    """One application (case) as it stands: its dates, outcome and handling."""

    __tablename__ = "fact_case"
    __table_args__ = (
        # The cases received, and decided, in a period, with what 业务监管 counts them by (read
        # from the index alone, not from the table's pages).
        Index("ix_fact_case_received", "received_on", postgresql_include=["tenant", "delegated"]),
        Index(
            "ix_fact_case_decided",
            "decided_on",
            postgresql_include=["tenant", "working_days", "overdue", "outcome"],
        ),
    )

    tenant: Mapped[str] = mapped_column(String(41), primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(20), primary_key=True)
    matter: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    division_code: Mapped[str | None] = mapped_column(String(6))
    handling_unit: Mapped[str | None] = mapped_column(String(200))
    # The handling unit acted under authority delegated by the province bureau.
    delegated: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    received_on: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))
    supplement_notices: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    # Working days from acceptance (or receipt) to decision; none while the case is open.
    working_days: Mapped[int | None] = mapped_column(Integer)
    # The statutory limit (suspensions added); whether an open case is overdue depends on the day
    # it is asked, so queries compare this date with the day they report on.
    due_on: Mapped[date | None] = mapped_column(Date)
    # Decided after its due date (fixed once decided; open cases: see `due_on`).
    overdue: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class FactCaseMonth(NationalBase):
    """Per province, month and working days: the cases received in that month (side "received")
    and those decided in it (side "decided"), with what 业务监管 counts of them. Its figures over
    whole months (counts, shares, and the working-day percentiles from the distribution) read a
    few thousand rows instead of every case of the period. Kept with the case facts by their
    writers: the consumer adds each case's change, the rebuild and the recount recompute a
    province's rows (repository.recompute_case_months)."""

    __tablename__ = "fact_case_month"

    tenant: Mapped[str] = mapped_column(String(41), primary_key=True)
    side: Mapped[str] = mapped_column(String(8), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    # The decided cases' working days; -1 when unknown and on the received side.
    working_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    cases: Mapped[int] = mapped_column(Integer)
    # Received side: handled under delegation. Decided side: approved, decided after the due date.
    delegated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    approved: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    overdue: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class FactEnquiry(NationalBase):
    """One complaint or consultation: where it came from, who handled it, how fast."""

    __tablename__ = "fact_enquiry"
    __table_args__ = (
        Index("ix_fact_enquiry_received", "kind", "received_at"),
        Index("ix_fact_enquiry_terms", "terms", postgresql_using="gin"),
    )

    tenant: Mapped[str] = mapped_column(String(41), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(40))
    division_code: Mapped[str | None] = mapped_column(String(6))
    handling_unit: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    within_limit: Mapped[bool | None] = mapped_column(Boolean)
    transferred: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Moved here from another province: the same complaint is also the origin province's row
    # (status transferred), which is the one national counts take.
    transferred_in: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    published: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The main terms of the question (pharmreg.kit.question_terms), computed in the province.
    terms: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default=text("'{}'"))


class FactPracticeUnit(NationalBase):
    """One practice unit: its type, practice field, place and licence."""

    __tablename__ = "fact_practice_unit"

    tenant: Mapped[str] = mapped_column(String(41), primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_type: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(16))
    division_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(16))
    licence_valid_until: Mapped[date] = mapped_column(Date)


class FactSource(NationalBase):
    """When a province's facts were last rebuilt or recounted, and what the recount corrected."""

    __tablename__ = "fact_source"

    tenant: Mapped[str] = mapped_column(String(41), primary_key=True)
    rebuilt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recounted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    corrected: Mapped[int] = mapped_column(Integer, server_default=text("0"))


# --- exports -----------------------------------------------------------------------------------


class ExportJob(NationalBase):
    """A report someone asked to download as a file, built by the worker; the file is kept
    seven days. Only the account that asked may read it."""

    __tablename__ = "export_job"
    __table_args__ = (
        Index("ix_export_job_owner", "owner_kind", "owner_tenant", "owner_id", "created_at"),
        Index("ix_export_job_created", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Who asked: an officer ("officer", their province's slug) or national staff ("staff", "national").
    owner_kind: Mapped[str] = mapped_column(String(16))
    owner_tenant: Mapped[str] = mapped_column(String(41))
    owner_id: Mapped[uuid.UUID] = mapped_column()
    # A name of the report catalogue, and whose figures: a province (none: every province) and
    # within it a division-code prefix (a city or county bureau's territory).
    report: Mapped[str] = mapped_column(String(80))
    report_label: Mapped[str] = mapped_column(String(200))
    scope_tenant: Mapped[str | None] = mapped_column(String(41))
    division_prefix: Mapped[str | None] = mapped_column(String(6))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    format: Mapped[str] = mapped_column(String(8))
    encoding: Mapped[str] = mapped_column(String(16), server_default=text("'utf-8'"))
    # queued, running, done or failed.
    status: Mapped[str] = mapped_column(String(16), server_default=text("'queued'"))
    progress: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    row_count: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(120))
    # Loaded only by the query that serves the file; reading it anywhere else raises at once.
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary), raiseload=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    # Why it failed, for the person who asked (Chinese).
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SavedQuery(NationalBase):
    """A custom statistics query kept by name by the officer or national staff member who made it."""

    __tablename__ = "saved_query"
    __table_args__ = (UniqueConstraint("owner_tenant", "owner_account", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The owner's province slug, or "national" for national staff.
    owner_tenant: Mapped[str] = mapped_column(String(41))
    owner_account: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(60))
    # The query's parameters as the query page reads them (measures, dimensions, period, filters).
    definition: Mapped[dict[str, str]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
