"""Violations: the one error shape every validator in this collection reports.

A validator collects every broken rule before it gives up, so the user fixes all of them in one round
instead of one per playbook run. Each violation carries a short, stable, kebab-case ``rule`` id (tests,
roles and users may match on it) and a ``detail`` sentence that names the field, the value and the rule.

Pure Python, no Ansible imports: modules turn a :class:`ValidationError` into ``fail_json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is a stable id, ``detail`` says field, value and rule in plain words."""

    rule: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "detail": self.detail}


class ValidationError(ValueError):
    """Raised with every violation found; ``str()`` lists them all, one per clause."""

    def __init__(self, violations: Iterable[Violation]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        if not self.violations:
            raise ValueError("ValidationError needs at least one violation")
        super().__init__(self.message)

    @property
    def message(self) -> str:
        count = len(self.violations)
        noun = "rule" if count == 1 else "rules"
        return f"{count} {noun} broken: " + "; ".join(f"[{v.rule}] {v.detail}" for v in self.violations)

    @property
    def rules(self) -> list[str]:
        return [violation.rule for violation in self.violations]

    def as_dicts(self) -> list[dict[str, str]]:
        return [violation.as_dict() for violation in self.violations]


def raise_if_any(violations: Iterable[Violation]) -> None:
    """Raise a :class:`ValidationError` when ``violations`` is not empty."""
    collected = list(violations)
    if collected:
        raise ValidationError(collected)
