"""The one exception the harness shows to users: a single line, no traceback."""


class HarnessError(Exception):
    """A failure the user can act on; str() is the whole message."""
