"""The one exception type users see: a message that names the problem and the fix."""


class PipelineError(Exception):
    """A user-facing failure. ``str(err)`` must say what went wrong and what to do about it."""
