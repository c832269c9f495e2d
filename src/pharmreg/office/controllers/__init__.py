"""Route handlers of the back office: sign-in, the officer's home, address book and messages."""

from pharmreg.office.controllers.address_book import (
    NationalAddressBookController,
    OfficeAddressBookController,
)
from pharmreg.office.controllers.dashboard import OfficeDashboardController
from pharmreg.office.controllers.messages import OfficeMessagesController
from pharmreg.office.controllers.national_inbox import NationalInboxController
from pharmreg.office.controllers.signin import NationalSignInController, OfficeSignInController

ROUTE_HANDLERS = [
    NationalSignInController,
    NationalInboxController,
    OfficeSignInController,
    OfficeDashboardController,
    OfficeAddressBookController,
    NationalAddressBookController,
    OfficeMessagesController,
]

__all__ = ["ROUTE_HANDLERS"]
