"""Just enough SoQL for the mirrors: ``$where`` with =, !=, like, in, upper(), AND/OR/NOT and parentheses;
``$order`` on one or more columns (``:id`` = row order); ``$select``; ``$limit``/``$offset``.

These are the constructs the reference says adapters use (state-rosters.md section 0.4).
"""

import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>!=|<>|>=|<=|=|<|>|\(|\)|,)"
                    r"|(?P<word>[:A-Za-z_][A-Za-z0-9_]*))")

Row = dict[str, Any]


class SoqlError(ValueError):
    """A query the mirror cannot parse (the real API answers HTTP 400 too)."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise SoqlError(f"cannot parse $where near {text[position:position + 20]!r}")
        kind = match.lastgroup
        value = match.group(kind)
        out.append((kind, value[1:-1].replace("''", "'") if kind == "str" else value))
        position = match.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise SoqlError("unexpected end of $where")
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].upper() == word:
            self.position += 1
            return True
        return False

    def parse(self) -> Callable[[Row], bool]:
        predicate = self.disjunction()
        if self.peek() is not None:
            raise SoqlError(f"unexpected {self.peek()[1]!r} in $where")
        return predicate

    def disjunction(self) -> Callable[[Row], bool]:
        parts = [self.conjunction()]
        while self.keyword("OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda row: any(p(row) for p in parts))

    def conjunction(self) -> Callable[[Row], bool]:
        parts = [self.negation()]
        while self.keyword("AND"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda row: all(p(row) for p in parts))

    def negation(self) -> Callable[[Row], bool]:
        if self.keyword("NOT"):
            inner = self.negation()
            return lambda row: not inner(row)
        if self.peek() == ("op", "("):
            self.take()
            inner = self.disjunction()
            if self.take() != ("op", ")"):
                raise SoqlError("missing ) in $where")
            return inner
        return self.comparison()

    def operand(self) -> Callable[[Row], Any]:
        kind, value = self.take()
        if kind == "str" or kind == "num":
            return lambda row: value
        if kind != "word":
            raise SoqlError(f"unexpected {value!r} in $where")
        if value.lower() in {"upper", "lower"} and self.peek() == ("op", "("):
            self.take()
            inner = self.operand()
            if self.take() != ("op", ")"):
                raise SoqlError("missing ) after function argument")
            fold = str.upper if value.lower() == "upper" else str.lower
            return lambda row: fold(str(inner(row) or ""))
        return lambda row: row.get(value.lower()) if value.lower() in row else row.get(value)

    def comparison(self) -> Callable[[Row], bool]:
        left = self.operand()
        if self.keyword("LIKE"):
            pattern = self.operand()({})
            regex = re.compile("^" + re.escape(str(pattern)).replace("%", ".*").replace("_", ".") + "$", re.S)
            return lambda row: bool(regex.match(str(left(row) or "")))
        if self.keyword("IN"):
            if self.take() != ("op", "("):
                raise SoqlError("IN needs a list")
            values = []
            while True:
                values.append(str(self.operand()({})))
                separator = self.take()
                if separator == ("op", ")"):
                    break
                if separator != ("op", ","):
                    raise SoqlError("bad IN list")
            return lambda row: str(left(row) or "") in values
        if self.keyword("IS"):
            negate = self.keyword("NOT")
            if not self.keyword("NULL"):
                raise SoqlError("IS needs NULL")
            return (lambda row: left(row) not in (None, "")) if negate else (lambda row: left(row) in (None, ""))
        kind, operator = self.take()
        if kind != "op":
            raise SoqlError(f"expected an operator, got {operator!r}")
        right = self.operand()
        compare = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<>": lambda a, b: a != b,
                   ">": lambda a, b: a > b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
                   "<=": lambda a, b: a <= b}.get(operator)
        if compare is None:
            raise SoqlError(f"unknown operator {operator!r}")
        return lambda row: compare(str(left(row) or ""), str(right(row) or ""))


def where(text: str | None) -> Callable[[Row], bool]:
    return _Parser(text).parse() if text and text.strip() else (lambda row: True)


def query(rows: list[Row], params: dict[str, str]) -> list[Row]:
    """Apply $where, $order, $offset, $limit and $select to rows (each row carries ':id')."""
    predicate = where(params.get("$where"))
    selected = [row for row in rows if predicate(row)]
    order = params.get("$order")
    if order:
        for part in reversed([p.strip() for p in order.split(",") if p.strip()]):
            column, _, direction = part.partition(" ")
            selected.sort(key=lambda row, c=column: (row.get(c) is None, str(row.get(c) or "")) if c != ":id"
                          else (False, row[":id"]), reverse=direction.strip().upper() == "DESC")
    try:
        offset = int(params.get("$offset", 0))
        limit = int(params.get("$limit", 1000))  # SODA's default page size
    except ValueError as exc:
        raise SoqlError(f"bad $limit/$offset: {exc}") from None
    page = selected[offset:offset + limit]
    columns = [c.strip() for c in params["$select"].split(",")] if params.get("$select") else None
    return [{k: v for k, v in row.items() if k != ":id" and (columns is None or k in columns)} for row in page]
