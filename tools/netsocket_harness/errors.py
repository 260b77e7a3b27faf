"""The one exception the harness shows to users: a single line, no traceback."""


class HarnessError(Exception):
    """A failure the user can act on; str() is the whole message.

    `details` (e.g. the first error lines of a failed build) are shown
    indented below that line."""

    def __init__(self, message: str, details: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.details = list(details)
