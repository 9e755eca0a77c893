"""``/v1/campaigns``: every campaign, and one campaign measured as ``cvm campaign measure``
measures it (the measurement is stored as a run, as the command stores it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from cvm.api.deps import WorkspaceDep
from cvm.api.schemas_reads import CampaignMeasurement, Campaigns
from cvm.api.serialize import records

router = APIRouter(tags=["campaigns"])


@router.get("/campaigns")
def campaigns(ws: WorkspaceDep) -> Campaigns:
    """Every campaign with its status, arm sizes and contacts so far."""
    from cvm.campaigns import list_campaigns

    return Campaigns.model_validate({"campaigns": records(list_campaigns(ws))})


@router.get("/campaigns/{campaign_id}/measure")
def measure(
    campaign_id: Annotated[str, Path(examples=["CMP0001"], description="A campaign id")],
    ws: WorkspaceDep,
    outcome: Annotated[
        str | None,
        Query(
            max_length=200,
            description="An imported outcome column, or converted, revenue,"
            " visits, orders (default: the full report, or the first imported outcome)",
            examples=["converted"],
        ),
    ] = None,
    alpha: Annotated[
        float, Query(gt=0, lt=1, description="Family-wise error rate", examples=[0.05])
    ] = 0.05,
    n_boot: Annotated[
        int, Query(ge=100, le=10_000, description="Bootstrap resamples", examples=[1000])
    ] = 1000,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1, description="Bootstrap seed", examples=[0])] = 0,
) -> CampaignMeasurement:
    """Lift per arm with intervals and Holm-adjusted p-values, incremental revenue, margin and
    ROI, and the lift by segment: the numbers `cvm campaign measure` prints (404 when the
    campaign is unknown; 400 when it cannot be measured yet, e.g. a draft)."""
    from cvm.campaigns import get_campaign, list_campaigns, measure_campaign
    from cvm.campaigns.outcomes import measure_outcome

    if campaign_id not in set(list_campaigns(ws)["campaign_id"]):
        raise HTTPException(status_code=404, detail=f"unknown campaign {campaign_id!r}")
    if get_campaign(ws, campaign_id).outcomes or outcome is not None:
        result = measure_outcome(ws, campaign_id, outcome, alpha=alpha)
        return CampaignMeasurement(
            campaign_id=campaign_id, run_id=None, alpha=alpha, outcome=result.records()
        )
    m = measure_campaign(ws, campaign_id, alpha=alpha, n_boot=n_boot, seed=seed)
    return CampaignMeasurement.model_validate(
        {
            "campaign_id": m.campaign_id,
            "run_id": m.run_id,
            "alpha": m.alpha,
            "arms": records(m.arms.reset_index(names="arm")),
            "effects": records(m.effects),
            "money": records(m.money),
            "segments": records(m.segments.reset_index()) if not m.segments.empty else [],
            "warnings": list(m.warnings),
        }
    )
