"""The coaching plan now: whether stride coaching is switched on and active, the target, walk length and tips."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from gait.coach import NOT_MEDICAL_ADVICE, TIPS
from gait.coach.pain import old_onsets_note
from gait.stride_length import CALIBRATION_WALK_GOOD_M
from service.coaching import dashboard_plan, load_profile, pain_reports
from service.deps import StoreDep
from service.models import CoachingStatus

router = APIRouter(prefix="/api/coaching", tags=["coaching"])


@router.get("", response_model=CoachingStatus, summary="Coaching plan, walk-length recommendation and tips")
def coaching_status(store: StoreDep) -> CoachingStatus:
    """The coaching plan now (for the usual sensor placement, describing the baseline of each placement used), the
    walk-length recommendation and the tips."""
    profile = load_profile(store)
    plan = dashboard_plan(store, profile)
    settings = profile.coaching.coach_settings()
    old_onsets = None
    if plan.recommendation is None:
        old_onsets = old_onsets_note(
            pain_reports(store),
            now_s=plan.now_s,
            lookback_days=settings.pain_lookback_days,
            min_pain_0_10=settings.min_pain_0_10,
        )
    return CoachingStatus(
        plan=plan.to_dict(),
        settings=profile.coaching,
        tips=[asdict(t) for t in TIPS],
        not_medical_advice=NOT_MEDICAL_ADVICE,
        calibration_walk_good_m=CALIBRATION_WALK_GOOD_M,
        old_onsets=old_onsets,
    )
