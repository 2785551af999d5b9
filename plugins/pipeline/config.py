"""``[plugin.pipeline]``: the deployment's pipelines, their stages, and what counts as commit.

Stages live in the config, identified by a ``key`` that never changes: deals and the stage
history store the key, so a stage may be renamed, reordered or re-weighted freely, but a
key, once used, must stay (a deal in a stage the config no longer lists shows the bare key).

```toml
[plugin.pipeline]
commit_probability = 75
default_pipeline = "sales"

[plugin.pipeline.pipelines.sales]
name = "New business"
stages = [
  { key = "qualification", name = "Qualification", probability = 10 },
  { key = "proposal", name = "Proposal", probability = 50 },
  { key = "negotiation", name = "Negotiation", probability = 75, commit = true },
  { key = "won", name = "Won", probability = 100, won = true },
  { key = "lost", name = "Lost", probability = 0, lost = true },
]
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sampark.core.errors import ConfigError

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_STAGE_KEYS = {"key", "name", "probability", "won", "lost", "commit"}
_PIPELINE_KEYS = {"name", "stages"}


@dataclass(frozen=True)
class Stage:
    """One column of a pipeline: where a deal stands and how likely it is to close."""

    key: str
    name: str
    position: int
    probability: int
    won: bool = False
    lost: bool = False
    commit: bool = False

    @property
    def status(self) -> str:
        """``won``, ``lost`` or ``open``: what a deal in this stage is."""
        return "won" if self.won else "lost" if self.lost else "open"


@dataclass(frozen=True)
class Pipeline:
    """A named sequence of stages; at least one won stage and one lost stage."""

    key: str
    name: str
    stages: tuple[Stage, ...]

    def stage(self, key: str) -> Stage | None:
        for stage in self.stages:
            if stage.key == key:
                return stage
        return None

    @property
    def first_open(self) -> Stage:
        return next(stage for stage in self.stages if stage.status == "open")

    @property
    def won_stage(self) -> Stage:
        return next(stage for stage in self.stages if stage.won)

    @property
    def lost_stage(self) -> Stage:
        return next(stage for stage in self.stages if stage.lost)


DEFAULT_STAGES: list[dict[str, Any]] = [
    {"key": "qualification", "name": "Qualification", "probability": 10},
    {"key": "needs_analysis", "name": "Needs analysis", "probability": 25},
    {"key": "proposal", "name": "Proposal", "probability": 50},
    {"key": "negotiation", "name": "Negotiation", "probability": 75},
    {"key": "won", "name": "Won", "probability": 100, "won": True},
    {"key": "lost", "name": "Lost", "probability": 0, "lost": True},
]


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: must be true or false (got {value!r})")
    return value


def _stage(raw: Any, position: int, where: str) -> Stage:
    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: must be a table such as {{ key = "proposal", ... }}')
    unknown = sorted(set(raw) - _STAGE_KEYS)
    if unknown:
        known = ", ".join(sorted(_STAGE_KEYS))
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r} (known settings: {known})")
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise ConfigError(
            f"{where}.key: must be lower-case letters, digits and _ starting with a letter "
            f"(got {key!r})"
        )
    name = raw.get("name", key.replace("_", " ").capitalize())
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise ConfigError(f"{where}.name: must be text of 1 to 100 characters (got {name!r})")
    won = _flag(raw.get("won", False), f"{where}.won")
    lost = _flag(raw.get("lost", False), f"{where}.lost")
    commit = _flag(raw.get("commit", False), f"{where}.commit")
    if won and lost:
        raise ConfigError(f"{where}: a stage cannot be both won and lost")
    default = 100 if won else 0 if lost else None
    probability = raw.get("probability", default)
    if (
        isinstance(probability, bool)
        or not isinstance(probability, int)
        or not 0 <= probability <= 100
    ):
        raise ConfigError(
            f"{where}.probability: must be a whole percentage from 0 to 100 (got {probability!r})"
        )
    return Stage(key, name.strip(), position, probability, won, lost, commit)


def build_pipeline(key: str, raw: Any, where: str) -> Pipeline:
    """A checked pipeline from its config table; ConfigError naming the key at fault."""
    if not _KEY.match(key):
        raise ConfigError(f"{where}: pipeline keys are lower-case letters, digits and _")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table with name and stages")
    unknown = sorted(set(raw) - _PIPELINE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r} (known settings: name, stages)")
    name = raw.get("name", key.replace("_", " ").capitalize())
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}.name: must be text (got {name!r})")
    raw_stages = raw.get("stages", DEFAULT_STAGES)
    if not isinstance(raw_stages, list | tuple) or not raw_stages:
        raise ConfigError(f"{where}.stages: must be a list of stages")
    stages = tuple(
        _stage(item, position, f"{where}.stages[{position}]")
        for position, item in enumerate(raw_stages)
    )
    keys = [stage.key for stage in stages]
    for stage in stages:
        if keys.count(stage.key) > 1:
            raise ConfigError(f"{where}.stages: the key {stage.key!r} is used twice")
    if not any(stage.status == "open" for stage in stages):
        raise ConfigError(f"{where}.stages: needs at least one open stage")
    if sum(stage.won for stage in stages) != 1:
        raise ConfigError(f"{where}.stages: needs exactly one stage with won = true")
    if sum(stage.lost for stage in stages) != 1:
        raise ConfigError(f"{where}.stages: needs exactly one stage with lost = true")
    return Pipeline(key, name.strip(), stages)


@dataclass(frozen=True)
class PipelineConfig:
    """Settings of the pipeline plugin (``[plugin.pipeline]``)."""

    pipelines: dict[str, Any] = field(default_factory=dict)
    default_pipeline: str = ""
    # Open deals at or above this probability count as committed (the forecast's worst case).
    commit_probability: int = 75
    board_cards: int = 50
    built: dict[str, Pipeline] = field(default_factory=dict, init=False, compare=False)

    def __post_init__(self) -> None:
        where = "plugin.pipeline"
        if not 0 <= self.commit_probability <= 101:
            raise ConfigError(f"{where}.commit_probability: must be from 0 to 100")
        if not 1 <= self.board_cards <= 500:
            raise ConfigError(f"{where}.board_cards: must be from 1 to 500")
        raw = self.pipelines or {"sales": {"name": "Sales", "stages": DEFAULT_STAGES}}
        built = {
            key: build_pipeline(key, value, f"{where}.pipelines.{key}")
            for key, value in raw.items()
        }
        default = self.default_pipeline or next(iter(built))
        if default not in built:
            raise ConfigError(
                f"{where}.default_pipeline: no pipeline {default!r} "
                f"(configured: {', '.join(built)})"
            )
        object.__setattr__(self, "built", built)
        object.__setattr__(self, "default_pipeline", default)

    def pipeline(self, key: str | None) -> Pipeline | None:
        return self.built.get(key or self.default_pipeline)

    def is_commit(self, stage: Stage, probability: int) -> bool:
        return stage.commit or probability >= self.commit_probability
