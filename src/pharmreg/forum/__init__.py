"""The officers' forum (论坛): each province's boards and the national board, with moderation."""

from pharmreg.forum.controllers import ROUTE_HANDLERS
from pharmreg.forum.models import FORUMS, ForumSpace
from pharmreg.forum.schemas import Author
from pharmreg.forum.service import list_boards, moderate_thread, reply_to, start_thread

__all__ = [
    "FORUMS",
    "ROUTE_HANDLERS",
    "Author",
    "ForumSpace",
    "list_boards",
    "moderate_thread",
    "reply_to",
    "start_thread",
]
