"""Use cases of applications: drafts, pre-check, submission, the officers' actions and their effects.

Every write that touches both the province and the national index is done in two sessions
the caller commits national-first (see `pharmreg.register`).
"""

from pharmreg.applications.service.actions import (
    AfterCaseAction,
    CaseActionForm,
    act_on_case,
    deem_accepted,
    flag_deadline,
    officer_acts,
)
from pharmreg.applications.service.checking import check_application, gather, person_of
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
from pharmreg.applications.service.opening import open_material, openings_of, unopened_by
from pharmreg.applications.service.reading import (
    applicant_provinces,
    application_by_id,
    application_by_ref,
    application_read,
    applications_of,
    attachment_content,
    attachments_of,
    count_applications,
    deadline_rows,
    guide_edits,
    notice_data,
    notices_of,
    open_cases,
    refs_in_progress,
    registration_photo,
    save_guide_edits,
    timeline,
)
from pharmreg.applications.service.submission import (
    resubmit_application,
    submit_application,
    withdraw_application,
)

__all__ = [
    "CASE_FACT",
    "NOTICE_TITLES",
    "AfterCaseAction",
    "ApplicationError",
    "CaseActionForm",
    "CaseOfficer",
    "Routing",
    "act_on_case",
    "add_attachment",
    "applicant_provinces",
    "application_by_id",
    "application_by_ref",
    "application_read",
    "applications_of",
    "attachment_content",
    "attachments_of",
    "case_facts",
    "check_application",
    "clean_form",
    "count_applications",
    "deadline_rows",
    "deem_accepted",
    "flag_deadline",
    "gather",
    "guide_edits",
    "notice_data",
    "notices_of",
    "officer_acts",
    "open_cases",
    "open_material",
    "openings_of",
    "person_of",
    "refs_in_progress",
    "registration_photo",
    "remove_attachment",
    "resubmit_application",
    "save_draft",
    "save_guide_edits",
    "start_application",
    "submit_application",
    "timeline",
    "unopened_by",
    "withdraw_application",
]
