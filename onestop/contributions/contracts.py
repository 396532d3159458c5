"""What other contexts receive about a person's employments."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EmploymentFacts:
    """One employment as the platform recorded it (periods are YYYYMM integers)."""

    employment_id: int
    employer_id: int
    start_period: int
    end_period: int | None
    end_reason: str
