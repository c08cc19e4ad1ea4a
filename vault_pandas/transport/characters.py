"""Which characters a header or a form can carry, said without the value around them.

A token or session id goes in a header: printable ASCII only (RFC 6750's ``b64token`` is
narrower still). A password or user name goes in a UTF-8 form body: any text but a lone
surrogate. The checks return why a value cannot be sent, naming the first bad character by
its position and code point, never the value (a secret); they never raise, so no frame
holding the value appears in a traceback.
"""

from __future__ import annotations

import unicodedata


def header_problem(text: object) -> str | None:
    """Why ``text`` cannot be a header's credential, or None when it can.

    Examples
    --------
    >>> header_problem("abc.DEF-123")
    >>> header_problem("SECRET\\u200b")
    'has character 7 = U+200B ZERO WIDTH SPACE (not printable ASCII)'
    """
    if not isinstance(text, str):
        return f"is a {type(text).__name__}, not a str"
    if not text:
        return "is empty"
    for position, char in enumerate(text, start=1):
        if not "!" <= char <= "~":
            return f"has character {position} = {describe_char(char)}"
    return None


def text_problem(text: object) -> str | None:
    """Why ``text`` cannot be sent as UTF-8 (it holds a lone surrogate), or None when it can.

    Examples
    --------
    >>> text_problem("pässwörd€")
    >>> text_problem("p\\udcffw")[:40]
    'has character 2 = U+DCFF, a lone surroga'
    """
    for position, char in enumerate(text if isinstance(text, str) else "", start=1):
        if "\ud800" <= char <= "\udfff":
            return (
                f"has character {position} = U+{ord(char):04X}, a lone surrogate (an "
                "undecodable byte, e.g. from the environment or a file read with the wrong "
                "encoding), which cannot be sent"
            )
    return None


def describe_char(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE (not printable ASCII)``: one character, never its neighbours.

    Examples
    --------
    >>> describe_char("\\n")
    'U+000A (a line break)'
    """
    code = ord(char)
    name = unicodedata.name(char, "")
    shown = f"U+{code:04X}" + (f" {name}" if name else "")
    if char in "\r\n":
        kind = "a line break"
    elif code < 0x20 or code == 0x7F:
        kind = "a control character"
    elif char.isspace():
        kind = "a space inside the value"
    else:
        kind = "not printable ASCII"
    return f"{shown} ({kind})"
