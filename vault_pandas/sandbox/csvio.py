"""Vault-flavoured CSV: RFC 4180 plus Java (opencsv) backslash escapes and Vault's CR rule."""

from __future__ import annotations

import re

from .values import strip_xml_invalid

__all__ = ["CsvError", "parse_csv"]

# One field and what ends it; re.findall walks the text with no gaps because the last
# alternative takes any single character.
#  - quoted (group 1, quotes included): runs of non-quote/non-backslash chars, backslash
#    pairs, or doubled quotes;
#  - unquoted (group 3): no comma, LF or quote; a backslash escapes the next char unless
#    that char is a comma or LF (opencsv then drops the backslash and the comma/LF keeps
#    its meaning);
#  - groups 2 and 4: the terminator (comma, LF, or "" at the end of the text);
#  - group 5: anything else, which is malformed.
_FIELD = re.compile(
    r'("(?:[^"\\]++|\\.|"")*+")(,|\n|\Z)'
    r"|((?:[^,\n\"\\]++|\\[^,\n]|\\(?=[,\n]|\Z))*+)(,|\n|\Z)"
    r"|(.)",
    re.S,
)
_QUOTED_ESCAPES = re.compile(r'\\(.)|"(")', re.S)
_UNQUOTED_ESCAPES = re.compile(r"\\(.?)", re.S)


class CsvError(ValueError):
    """The body is not valid Vault CSV; the whole request fails with INVALID_DATA."""


def _malformed(text: str) -> CsvError:
    """Build the error for the first malformed field (slow path: errors only)."""
    for m in _FIELD.finditer(text):
        if m.group(5) is not None:
            line = text.count("\n", 0, m.start()) + 1
            return CsvError(
                f"Malformed CSV at line {line}: a field is badly quoted "
                "(quotes must enclose the whole field; a quote inside is written twice)"
            )
    return CsvError("Malformed CSV")  # pragma: no cover - only called after a bad match


def _split(text: str) -> list[list[str]]:
    """Split normalized text into rows of unescaped field values."""
    rows: list[list[str]] = []
    row: list[str] = []
    for quoted, qterm, plain, pterm, bad in _FIELD.findall(text):
        if quoted:
            value = quoted[1:-1]
            if "\\" in value or '"' in value:
                value = _QUOTED_ESCAPES.sub(r"\1\2", value)
            term = qterm
        elif bad:
            raise _malformed(text)
        else:
            value = _UNQUOTED_ESCAPES.sub(r"\1", plain) if "\\" in plain else plain
            term = pterm
            if not row and not value and term != ",":
                continue  # a blank line, or the empty match at the very end
        row.append(value)
        if term != ",":
            rows.append(row)
            row = []
    return rows


def parse_csv(body: bytes | str) -> tuple[list[str], list[list[str]]]:
    """Parse a Vault CSV body into its header and data rows.

    Rows end with LF or CRLF; quoted fields may hold commas, doubled quotes and newlines
    (a CRLF inside a value is read as LF). A backslash escapes the next character: ``\\\\``
    is one backslash, ``\\"`` a quote, and a lone ``\\x`` is just ``x``. A bare CR anywhere
    is refused, as Vault refuses it. Characters outside the XML range are removed. Empty
    fields and ``""`` both come back as ``""`` (blank).

    Parameters
    ----------
    body : bytes or str
        The request body; bytes must be UTF-8 (a leading BOM is ignored).

    Returns
    -------
    tuple of (list of str, list of list of str)
        Header names and the data rows (each exactly as long as the header).

    Raises
    ------
    CsvError
        Not UTF-8, a bare CR, malformed quoting, duplicate or empty header names,
        or a row whose length differs from the header.

    Examples
    --------
    >>> parse_csv(b'name__v,description__c\\nA,"x, \\\\\\\\y"\\n')
    (['name__v', 'description__c'], [['A', 'x, \\\\y']])
    """
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CsvError(f"The body is not valid UTF-8 (byte {exc.start})") from exc
    else:
        text = body
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        raise CsvError(f"Bare carriage return (CR) at line {line}")
    text = strip_xml_invalid(text)
    rows = _split(text)
    if not rows:
        raise CsvError("The CSV body is empty")
    header, data = rows[0], rows[1:]
    if any(not name.strip() for name in header):
        raise CsvError("The header has an empty column name")
    if len(set(header)) != len(header):
        raise CsvError("The header names a column twice")
    for number, row in enumerate(data, start=2):
        if len(row) != len(header):
            raise CsvError(f"Row {number} has {len(row)} values; the header has {len(header)}")
    return header, data
