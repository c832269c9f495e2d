"""Online applications (网上申报) and their handling (网上审批): drafts, pre-check, materials,
submission, the officers' actions, notices and the deadline view."""

from pharmreg.applications.checks import (
    CANCEL_REASONS,
    REISSUE_REASONS,
    CheckInput,
    Finding,
    Person,
    blocking,
    precheck,
)
from pharmreg.applications.controllers.applicant import (
    ApplicantApplicationsController,
    ApplicantCaseController,
    ApplicantRegisterController,
)
from pharmreg.applications.controllers.guides import GuideAdminController
from pharmreg.applications.controllers.office import OfficeCaseController
from pharmreg.applications.controllers.public import (
    GuideController,
    NationalResultsController,
    ResultsApiController,
    ResultsController,
    VerificationApiController,
    VerificationController,
)
from pharmreg.applications.guides import Guide, GuideBook, load_guides
from pharmreg.applications.jobs import free_stale_slots, sweep_deadlines, sweep_province
from pharmreg.applications.materials import Material, check_file, materials_for
from pharmreg.applications.schemas import ApplicationRead, AttachmentRead, DeadlineRow, EventRead, NoticeRead
from pharmreg.applications.service.actions import act_on_case, deem_accepted
from pharmreg.applications.service.checking import check_application, gather
from pharmreg.applications.service.common import (
    CASE_FACT,
    NOTICE_TITLES,
    ApplicationError,
    CaseOfficer,
    Routing,
    case_facts,
)
from pharmreg.applications.service.drafts import (
    add_attachment,
    clean_form,
    remove_attachment,
    save_draft,
    start_application,
)
from pharmreg.applications.service.reading import (
    applicant_provinces,
    application_by_ref,
    application_read,
    applications_of,
    attachment_content,
    attachments_of,
    count_applications,
    deadline_rows,
    notice_data,
    notices_of,
    timeline,
)
from pharmreg.applications.service.submission import (
    resubmit_application,
    submit_application,
    withdraw_application,
)
from pharmreg.kit.uploads import AttachmentError

ROUTE_HANDLERS = [
    ApplicantApplicationsController,
    ApplicantCaseController,
    ApplicantRegisterController,
    OfficeCaseController,
    GuideAdminController,
    GuideController,
    VerificationController,
    VerificationApiController,
    ResultsController,
    NationalResultsController,
    ResultsApiController,
]

__all__ = [
    "CANCEL_REASONS",
    "CASE_FACT",
    "NOTICE_TITLES",
    "REISSUE_REASONS",
    "ROUTE_HANDLERS",
    "ApplicationError",
    "ApplicationRead",
    "AttachmentError",
    "AttachmentRead",
    "CaseOfficer",
    "CheckInput",
    "DeadlineRow",
    "EventRead",
    "Finding",
    "Guide",
    "GuideBook",
    "Material",
    "NoticeRead",
    "Person",
    "Routing",
    "act_on_case",
    "add_attachment",
    "applicant_provinces",
    "application_by_ref",
    "application_read",
    "applications_of",
    "attachment_content",
    "attachments_of",
    "blocking",
    "case_facts",
    "check_application",
    "check_file",
    "clean_form",
    "count_applications",
    "deadline_rows",
    "deem_accepted",
    "free_stale_slots",
    "gather",
    "load_guides",
    "materials_for",
    "notice_data",
    "notices_of",
    "precheck",
    "remove_attachment",
    "resubmit_application",
    "save_draft",
    "start_application",
    "submit_application",
    "sweep_deadlines",
    "sweep_province",
    "timeline",
    "withdraw_application",
]
