"""Survey answers as arrays: a respondent x brand x attribute cube of ratings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

ADVOCACY = ("nps", "csat")
ANSWER_COLUMNS = ("respondent", "customer_id", "brand", "attribute", "score", "importance")


def read_answers(ws: Workspace, survey_id: str | None = None) -> pd.DataFrame:
    """Every stored answer (or one survey's), one row per respondent, brand and attribute."""
    frame = ws.engine.frame(sql_file(__package__, "responses.sql"), {"survey_id": survey_id})
    if frame.empty:
        where = f" for survey {survey_id!r}" if survey_id else ""
        raise DataError(f"no survey answers{where}: load them with `cvm ingest surveys FILE`")
    return frame


def check_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """The answer frame with its required columns; a missing one is named."""
    frame = answers.rename(columns={"respondent_id": "respondent"})
    missing = [c for c in ("respondent", "brand", "attribute", "score") if c not in frame]
    if missing:
        raise DataError(f"survey answers lack column {missing[0]!r}")
    for col in ("customer_id", "importance"):
        if col not in frame:
            frame = frame.assign(**{col: np.nan})
    return frame.loc[:, list(ANSWER_COLUMNS)]


@dataclass(frozen=True)
class RatingCube:
    """Ratings ``score[r, b, a]`` (NaN: not rated) and importance ``importance[r, a]``.

    Importance is the respondent's weight of an attribute, averaged over the brands it was
    given with (questionnaires ask it once per attribute).
    """

    respondents: np.ndarray
    customer_ids: np.ndarray
    brands: list[str]
    attributes: list[str]
    score: np.ndarray
    importance: np.ndarray


def rating_cube(answers: pd.DataFrame, attributes: Sequence[str] | None = None) -> RatingCube:
    """Pivot long answers into a cube, without a loop over respondents."""
    frame = check_answers(answers)
    if attributes is not None:
        frame = frame[frame["attribute"].isin(list(attributes))]
    if frame.empty:
        raise DataError("no brand ratings among the survey answers")
    r_codes, respondents = pd.factorize(frame["respondent"], sort=True)
    b_codes, brands = pd.factorize(frame["brand"], sort=True)
    a_codes, attrs = pd.factorize(frame["attribute"], sort=True)
    if attributes is not None:
        order = [a for a in attributes if a in set(attrs)]
        remap = np.array([order.index(a) for a in attrs])
        a_codes, attrs = remap[a_codes], pd.Index(order)
    shape = (len(respondents), len(brands), len(attrs))
    score = np.full(shape, np.nan)
    score[r_codes, b_codes, a_codes] = frame["score"].to_numpy(float)
    imp_sum = np.zeros((shape[0], shape[2]))
    imp_n = np.zeros((shape[0], shape[2]))
    imp = frame["importance"].to_numpy(float)
    ok = np.isfinite(imp)
    np.add.at(imp_sum, (r_codes[ok], a_codes[ok]), imp[ok])
    np.add.at(imp_n, (r_codes[ok], a_codes[ok]), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        importance = np.where(imp_n > 0, imp_sum / imp_n, np.nan)
    customers = frame.groupby(r_codes)["customer_id"].first().to_numpy(object)
    return RatingCube(
        respondents=np.asarray(respondents, dtype=object),
        customer_ids=customers,
        brands=[str(b) for b in brands],
        attributes=[str(a) for a in attrs],
        score=score,
        importance=importance,
    )


def subset(cube: RatingCube, keep: np.ndarray) -> RatingCube:
    """The cube restricted to the respondents where ``keep`` is true."""
    return RatingCube(
        respondents=cube.respondents[keep],
        customer_ids=cube.customer_ids[keep],
        brands=cube.brands,
        attributes=cube.attributes,
        score=cube.score[keep],
        importance=cube.importance[keep],
    )
