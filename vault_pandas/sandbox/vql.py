"""A VQL subset, parsed: SELECT ... FROM object [WHERE] [ORDER BY] [PAGESIZE] [PAGEOFFSET] [LIMIT].

:mod:`.vql_run` runs a parsed :class:`Query`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .computed import getter
from .errors import VqlError
from .objects import OBJECTS, field_map, is_computed, relationship_map
from .store import Record, Store

__all__ = ["DEFAULT_PAGE_SIZE", "Query", "QueryField", "parse_query"]

DEFAULT_PAGE_SIZE = 1000
MAX_QUERY_LENGTH = 50_000
_SYNTAX = "INCORRECT_QUERY_SYNTAX_ERROR"
_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<str>'(?:[^'\\]|\\.|'')*')"
    r"|(?P<num>-?[0-9]+(?:\.[0-9]+)?)(?![A-Za-z_0-9])"
    r"|(?P<op><=|>=|!=|=|<|>)"
    r"|(?P<punct>[(),])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)"
    r"|(?P<bad>.)",
    re.S,
)
# VQL escapes (v21.3+): \\ \' \" \% \* \n \t \r, and '' for a quote.
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "%": "%", "*": "*", "n": "\n", "t": "\t", "r": "\r"}
_KEYWORDS = {
    "SELECT", "FROM", "WHERE", "AND", "OR", "ORDER", "BY", "ASC", "DESC", "CONTAINS", "IN",
    "LIKE", "BETWEEN", "PAGESIZE", "PAGEOFFSET", "LIMIT",
}  # fmt: skip
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.[0-9]+)?Z\Z")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")
_TEXT_TYPES = ("String", "LongText", "RichText", "ID", "Object", "Picklist")


@dataclass
class _Lit:
    kind: str  # str, num, bool, null
    value: Any
    like: str = ""  # regex for LIKE, wildcards already translated


@dataclass
class QueryField:
    """A field named in a query: its metadata and how to read it from a queried record.

    ``direct``: a stored field of the queried object (its unique index may serve a filter).
    """

    name: str
    meta: dict[str, Any]
    get: Callable[[Record], Any]
    direct: bool


@dataclass
class Query:
    """A parsed query: what to select, from where, filtered and ordered how."""

    object: str
    fields: list[QueryField]
    where: tuple | None = None
    order: list[tuple[QueryField, bool]] = field(default_factory=list)
    pagesize: int = DEFAULT_PAGE_SIZE
    pageoffset: int = 0
    limit: int | None = None


def _decode(body: str) -> _Lit:
    """Decode a quoted literal's body, keeping unescaped % as a LIKE wildcard."""
    out, pattern, i = [], [], 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1]
            if nxt not in _ESCAPES:
                raise VqlError(_SYNTAX, f"Invalid escape sequence [\\{nxt}] in a string literal")
            out.append(_ESCAPES[nxt])
            pattern.append(re.escape(_ESCAPES[nxt]))
            i += 2
            continue
        out.append(c)
        pattern.append(".*" if c == "%" else re.escape(c))
        i += 2 if c == "'" else 1  # '' is one quote
    return _Lit("str", "".join(out), "".join(pattern))


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    for m in _TOKEN.finditer(text):
        kind, value = m.lastgroup or "bad", m.group()
        if kind == "ws":
            continue
        if kind == "bad":
            raise VqlError(_SYNTAX, f"Unexpected character [{value}] at position {m.start()}")
        if kind == "str":
            tokens.append(("lit", _decode(value[1:-1])))
        elif kind == "num":
            tokens.append(("lit", _Lit("num", Decimal(value))))
        elif kind == "name" and value in ("true", "false"):
            tokens.append(("lit", _Lit("bool", value == "true")))
        elif kind == "name" and value == "null":
            tokens.append(("lit", _Lit("null", None)))
        elif kind == "name" and value.upper() in _KEYWORDS:
            tokens.append(("kw", value.upper()))
        else:
            tokens.append((kind, value))
    return tokens


class _Parser:
    """Recursive-descent parser producing a :class:`Query`."""

    def __init__(self, text: str, store: Store) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0
        self.store = store
        self.object = ""

    def peek(self, kind: str, value: Any = None) -> bool:
        if self.pos >= len(self.tokens):
            return False
        k, v = self.tokens[self.pos]
        return k == kind and (value is None or v == value)

    def take(self, kind: str, value: Any = None) -> Any:
        if not self.peek(kind, value):
            got = self.tokens[self.pos][1] if self.pos < len(self.tokens) else "end of query"
            want = value or kind
            raise VqlError(_SYNTAX, f"Expected {want} but found [{getattr(got, 'value', got)}]")
        self.pos += 1
        return self.tokens[self.pos - 1][1]

    def parse(self) -> Query:
        self.take("kw", "SELECT")
        names = [self.take("name")]
        while self.peek("punct", ","):
            self.pos += 1
            names.append(self.take("name"))
        self.take("kw", "FROM")
        self.object = self.take("name")
        if self.object not in OBJECTS:
            raise VqlError("INVALID_DATA", f"Unknown object [{self.object}] in FROM")
        query = Query(self.object, [self.field(n) for n in names])
        if self.peek("kw", "WHERE"):
            self.pos += 1
            query.where = self.expr()
        if self.peek("kw", "ORDER"):
            self.pos += 1
            self.take("kw", "BY")
            query.order = self.order_list()
        self.tail(query)
        return query

    def tail(self, query: Query) -> None:
        while self.pos < len(self.tokens):
            word = self.take("kw")
            if word not in ("PAGESIZE", "PAGEOFFSET", "LIMIT"):
                raise VqlError(_SYNTAX, f"Unexpected [{word}]")
            lit = self.take("lit")
            if lit.kind != "num" or lit.value != lit.value.to_integral_value() or lit.value < 0:
                raise VqlError(_SYNTAX, f"{word} needs a whole number")
            n = int(lit.value)
            if word == "PAGESIZE":
                query.pagesize = max(1, min(n, DEFAULT_PAGE_SIZE))
            elif word == "PAGEOFFSET":
                query.pageoffset = n
            else:
                query.limit = n

    def order_list(self) -> list[tuple[QueryField, bool]]:
        keys = []
        while True:
            fld = self.field(self.take("name"))
            desc = False
            if self.peek("kw", "ASC") or self.peek("kw", "DESC"):
                desc = self.take("kw") == "DESC"
            keys.append((fld, desc))
            if not self.peek("punct", ","):
                return keys
            self.pos += 1

    def field(self, name: str) -> QueryField:
        fields = field_map(self.object)
        if name in fields:
            own = fields[name]
            read = getter(self.store, self.object, name)
            return QueryField(name, own, read, not is_computed(own))
        rel, _, target_field = name.partition(".")
        ref = relationship_map(self.object).get(rel)
        target = ref["object"]["name"] if ref else ""
        meta = field_map(target).get(target_field) if target in OBJECTS else None
        if ref is None or meta is None:  # unknown, or a relationship to users (not kept)
            raise VqlError("INVALID_DATA", f"Unknown field [{name}] on [{self.object}]")
        store, fk, read = self.store, ref["name"], getter(self.store, target, target_field)

        def get(record: Record) -> Any:
            linked = store.get(target, record[fk]) if record.get(fk) else None
            return read(linked) if linked else None

        return QueryField(name, meta, get, False)

    def expr(self) -> tuple:
        node = self.conjunction()
        while self.peek("kw", "OR"):
            self.pos += 1
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self) -> tuple:
        node = self.atom()
        while self.peek("kw", "AND"):
            self.pos += 1
            node = ("and", node, self.atom())
        return node

    def atom(self) -> tuple:
        if self.peek("punct", "("):
            self.pos += 1
            node = self.expr()
            self.take("punct", ")")
            return node
        fld = self.field(self.take("name"))
        if self.peek("op"):
            op = self.take("op")
            return ("cmp", fld, op, [_coerce(fld, self.take("lit"))])
        word = self.take("kw")
        if word in ("CONTAINS", "IN"):
            return ("cmp", fld, "in", [_coerce(fld, lit) for lit in self.lit_list()])
        if word == "LIKE":
            lit = self.take("lit")
            if lit.kind != "str" or fld.meta["type"] not in _TEXT_TYPES:
                raise VqlError("INVALID_DATA", f"LIKE needs a text field: [{fld.name}]")
            return ("like", fld, re.compile(lit.like, re.S))
        if word == "BETWEEN":
            low = _coerce(fld, self.take("lit"))
            self.take("kw", "AND")
            return ("between", fld, low, _coerce(fld, self.take("lit")))
        raise VqlError(_SYNTAX, f"Unexpected [{word}] after [{fld.name}]")

    def lit_list(self) -> list[_Lit]:
        self.take("punct", "(")
        lits = [self.take("lit")]
        while self.peek("punct", ","):
            self.pos += 1
            lits.append(self.take("lit"))
        self.take("punct", ")")
        return lits


def _coerce(fld: QueryField, lit: _Lit) -> Any:
    """Convert a literal to the stored form of the field it is compared with."""
    ftype, kind, value = fld.meta["type"], lit.kind, lit.value
    if kind == "null":
        return None
    if ftype == "Number" and (kind == "num" or (kind == "str" and _NUMBER.match(value))):
        return Decimal(value)
    if ftype == "Object" and kind == "num" and fld.meta["object"]["name"] not in OBJECTS:
        return int(value)  # a user reference: user ids are numbers
    if ftype == "Boolean" and kind == "bool":
        return value
    if ftype == "Date" and kind == "str" and _DATE.match(value):
        return value
    if ftype == "DateTime" and kind == "str":
        if _DATE.match(value):
            return value + "T00:00:00.000Z"
        m = _DATETIME.match(value)
        if m:
            return m.group(1) + ".000Z"
    if ftype in _TEXT_TYPES and kind == "str":
        return value
    raise VqlError("INVALID_DATA", f"Value [{value}] does not fit field [{fld.name}] ({ftype})")


def parse_query(text: str, store: Store) -> Query:
    """Parse VQL text against the sample objects.

    Raises
    ------
    VqlError
        ``INCORRECT_QUERY_SYNTAX_ERROR`` for bad syntax, ``INVALID_DATA`` for unknown
        objects or fields and values that do not fit their field.

    Examples
    --------
    >>> q = parse_query("SELECT id FROM product__v WHERE name__v = 'It''s'", Store())
    >>> q.object, q.where[3]
    ('product__v', ["It's"])
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise VqlError("INVALID_DATA", f"The query is longer than {MAX_QUERY_LENGTH} characters")
    return _Parser(text, store).parse()
