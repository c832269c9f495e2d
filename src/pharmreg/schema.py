"""Every table of the platform, for migrations and tests: the only module that sees them all."""

from pharmreg.applications import models as _applications
from pharmreg.audit import models as _audit
from pharmreg.authority import models as _authority
from pharmreg.consultations import models as _consultations
from pharmreg.divisions import models as _divisions
from pharmreg.events import models as _events
from pharmreg.forum import models as _forum
from pharmreg.identity import models as _identity
from pharmreg.kit.db import NationalBase, TenantBase
from pharmreg.messaging import models as _messaging
from pharmreg.portal import models as _portal
from pharmreg.practice import models as _practice
from pharmreg.publishing import models as _publishing
from pharmreg.qualifications import models as _qualifications
from pharmreg.register import models as _register
from pharmreg.supervision import models as _supervision
from pharmreg.supervision.risk import models as _supervision_risk
from pharmreg.tenancy import models as _tenancy
from pharmreg.workflow import models as _workflow

national_metadata = NationalBase.metadata
tenant_metadata = TenantBase.metadata

# Imported for their side effect of registering tables on the two metadata objects.
_MODEL_MODULES = (
    _applications,
    _audit,
    _authority,
    _consultations,
    _divisions,
    _events,
    _forum,
    _identity,
    _messaging,
    _portal,
    _practice,
    _publishing,
    _qualifications,
    _register,
    _supervision,
    _supervision_risk,
    _tenancy,
    _workflow,
)

__all__ = ["national_metadata", "tenant_metadata"]
