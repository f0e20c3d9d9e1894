"""The review's thresholds, chosen by the student in configs/review.yaml."""

from pathlib import Path

from pydantic import Field

from ..component_config import Section, load_section
from ..errors import ConfigError

REVIEW_CONFIG = Path("configs/review.yaml")


class ReviewSettings(Section):
    """How much evidence counts as done; see configs/review.yaml for what each means."""

    journal_entries: int = Field(default=3, ge=1)
    baseline_margin: float = Field(default=0.05, ge=0)
    families: int = Field(default=5, ge=1)


def load_settings(root: Path) -> tuple[ReviewSettings, str]:
    """Read ``root``/configs/review.yaml: (settings, "") or (the defaults, why they are used)."""
    path = root / REVIEW_CONFIG
    if not path.is_file():
        return ReviewSettings(), ""
    try:
        return load_section(ReviewSettings, path), ""
    except ConfigError as exc:
        reason = str(exc).replace(str(root) + "/", "")
        return ReviewSettings(), f"{reason}; the review used the defaults"
