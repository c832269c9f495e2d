"""Form validation results: every problem at once, each tied to its field."""

from __future__ import annotations


class FormErrors(Exception):
    """The submitted form cannot be accepted; `errors` maps field names to Chinese messages.

    The key "" holds problems that belong to the form as a whole.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Problems:
    """Collects field problems while a form is checked; raises them together."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        """Note a problem; a field with several problems shows them all, in order."""
        known = self.errors.get(field)
        if known is None:
            self.errors[field] = message
        elif message not in known.split("；"):
            self.errors[field] = f"{known}；{message}"

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise FormErrors(dict(self.errors))
