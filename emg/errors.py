"""The one exception type the CLI turns into a one-line message."""


class EmgError(Exception):
    """A problem the user can fix; the message says what to do, in one line."""
