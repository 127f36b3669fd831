"""Kubernetes label/field selectors and the subset of Calico's selector language the lab uses.

Kubernetes: ``a=b``, ``a==b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``a``, ``!a``, comma = AND.
Calico: ``all()``, ``has(k)``, ``!has(k)``, ``k == 'v'``, ``k != 'v'``, ``k in {'a','b'}``, ``k not in {...}``,
joined with ``&&`` / ``||`` and parentheses; the empty string means ``all()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import bad_request

Labels = Mapping[str, str]
Predicate = Callable[[Labels], bool]

_SET_TERM = re.compile(r"^\s*([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQUALITY_TERM = re.compile(r"^\s*([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)\s*$")
_EXISTS_TERM = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s*$")


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside ``( )``: ``a in (x,y),b`` is two terms."""
    terms, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    terms.append(current)
    return [term for term in terms if term.strip()]


def _label_term(term: str) -> Predicate:
    if match := _SET_TERM.match(term):
        key, operator, raw_values = match.groups()
        values = {value.strip() for value in raw_values.split(",") if value.strip()}
        if operator == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if match := _EQUALITY_TERM.match(term):
        key, operator, value = match.groups()
        if operator == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if match := _EXISTS_TERM.match(term):
        negated, key = match.groups()
        if negated:
            return lambda labels: key not in labels
        return lambda labels: key in labels
    raise bad_request(f'unable to parse requirement: labelSelector term "{term.strip()}" is not a valid selector')


def parse_label_selector(text: str | None) -> Predicate:
    """A predicate over a label map; raises a 400 ApiError naming the bad term."""
    predicates = [_label_term(term) for term in _split_top_level(text or "")]
    return lambda labels: all(predicate(labels) for predicate in predicates)


def matches_label_map(selector: Mapping[str, str] | None, labels: Labels) -> bool:
    """A Service/Deployment ``selector``/``matchLabels`` map: every pair must be present; empty matches nothing."""
    if not selector:
        return False
    return all(labels.get(key) == value for key, value in selector.items())


_FIELD_PATHS = {"metadata.name": ("metadata", "name"), "metadata.namespace": ("metadata", "namespace")}


def parse_field_selector(text: str | None) -> Callable[[dict[str, Any]], bool]:
    predicates: list[Callable[[dict[str, Any]], bool]] = []
    for term in _split_top_level(text or ""):
        match = _EQUALITY_TERM.match(term)
        if not match:
            raise bad_request(f'invalid field selector term "{term.strip()}"')
        field, operator, value = match.groups()
        if field not in _FIELD_PATHS:
            raise bad_request(f'field label not supported: "{field}"')
        section, key = _FIELD_PATHS[field]

        def predicate(
            obj: dict[str, Any],
            section: str = section,
            key: str = key,
            value: str = value,
            negate: bool = operator == "!=",
        ) -> bool:
            return (obj.get(section, {}).get(key, "") == value) != negate

        predicates.append(predicate)
    return lambda obj: all(predicate(obj) for predicate in predicates)


# ---- Calico selector expressions -------------------------------------------------------------------------

_CALICO_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||==|!=|!|\(|\)|\{|\}|,)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<word>[A-Za-z0-9_./\-]+))"
)


class CalicoSelectorError(ValueError):
    """The selector text is not in the supported grammar."""


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _CALICO_TOKEN.match(text, position)
        if not match or match.end() == position:
            raise CalicoSelectorError(f"unexpected character at position {position} in selector {text!r}")
        tokens.append(match.group("op") or match.group("str") or match.group("word"))
        position = match.end()
    return tokens


class _CalicoParser:
    """Recursive descent: or_expr := and_expr ('||' and_expr)*; and_expr := unary ('&&' unary)*."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def parse(self) -> Predicate:
        if not self.tokens:
            return lambda labels: True
        predicate = self._or()
        if self.index != len(self.tokens):
            raise CalicoSelectorError(f"unexpected {self.tokens[self.index]!r} in selector {self.text!r}")
        return predicate

    def _peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None or (expected is not None and token != expected):
            raise CalicoSelectorError(f"expected {expected or 'a term'} in selector {self.text!r}")
        self.index += 1
        return token

    def _or(self) -> Predicate:
        terms = [self._and()]
        while self._peek() == "||":
            self._take()
            terms.append(self._and())
        return terms[0] if len(terms) == 1 else (lambda labels: any(term(labels) for term in terms))

    def _and(self) -> Predicate:
        terms = [self._unary()]
        while self._peek() == "&&":
            self._take()
            terms.append(self._unary())
        return terms[0] if len(terms) == 1 else (lambda labels: all(term(labels) for term in terms))

    def _unary(self) -> Predicate:
        token = self._peek()
        if token == "!":
            self._take()
            inner = self._unary()
            return lambda labels: not inner(labels)
        if token == "(":
            self._take()
            inner = self._or()
            self._take(")")
            return inner
        return self._primary()

    def _string(self) -> str:
        token = self._take()
        if token[:1] not in ("'", '"'):
            raise CalicoSelectorError(f"expected a quoted value, got {token!r} in selector {self.text!r}")
        return token[1:-1]

    def _primary(self) -> Predicate:
        word = self._take()
        if word in ("all", "has") and self._peek() == "(":
            self._take("(")
            if word == "all":
                self._take(")")
                return lambda labels: True
            key = self._take()
            self._take(")")
            return lambda labels: key in labels
        operator = self._take()
        if operator in ("==", "!="):
            value = self._string()
            if operator == "==":
                return lambda labels: labels.get(word) == value
            return lambda labels: labels.get(word) != value
        if operator == "in" or (operator == "not" and self._take("in")):
            values = self._set()
            negate = operator == "not"
            return lambda labels: (labels.get(word) in values) != negate
        raise CalicoSelectorError(f"unsupported operator {operator!r} in selector {self.text!r}")

    def _set(self) -> set[str]:
        self._take("{")
        values: set[str] = set()
        while self._peek() != "}":
            values.add(self._string())
            if self._peek() == ",":
                self._take()
        self._take("}")
        return values


def parse_calico_selector(text: str | None) -> Predicate:
    """Raises CalicoSelectorError on text outside the supported grammar."""
    return _CalicoParser(text or "").parse()


def is_all_selector(text: str | None) -> bool:
    """Calico's LoadBalancer pools accept only ``all()``; the empty string is the same thing."""
    return (text or "").strip() in ("", "all()")
