"""The errors the registry raises.  Each message is one sentence a clerk can act on."""


class RegistryError(Exception):
    """A refused or failed operation; the CLI prints the message and exits 1."""


class NoticeError(RegistryError):
    """A notice that cannot be read or recorded as it stands."""


class NotFound(RegistryError):
    """A name, number or id that the registry does not know."""
