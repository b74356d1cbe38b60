"""The walker's profile: height, sensor placement, calibration factors per placement and coaching settings."""

from __future__ import annotations

from fastapi import APIRouter

from gait.coach import NOT_MEDICAL_ADVICE
from service.coaching import load_profile
from service.deps import StoreDep
from service.models import ProfilePublic, ProfileUpdate

router = APIRouter(prefix="/api/profile", tags=["profile"])


@router.get("", response_model=ProfilePublic, summary="The profile (defaults before the first save)")
def get_profile(store: StoreDep) -> ProfilePublic:
    """Return the profile, with defaults before the first save."""
    return ProfilePublic(**load_profile(store).model_dump(), not_medical_advice=NOT_MEDICAL_ADVICE)


@router.put("", response_model=ProfilePublic, summary="Replace the profile")
def put_profile(profile: ProfileUpdate, store: StoreDep) -> ProfilePublic:
    """Replace the profile; calibration factors left out keep their stored values."""
    # stride_scales left out (a client of the single factor, or one that never shows them) keeps the stored factors
    profile = profile.merged_with(load_profile(store))
    store.put_profile(profile.model_dump(mode="json"))
    return ProfilePublic(**profile.model_dump(), not_medical_advice=NOT_MEDICAL_ADVICE)
