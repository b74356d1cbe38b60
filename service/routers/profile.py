"""The walker's profile: height, sensor placement, calibration factors per placement and coaching settings."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from gait.coach import NOT_MEDICAL_ADVICE
from service.coaching import load_profile
from service.deps import StoreDep
from service.models import (
    ProfileChange,
    ProfileConflictError,
    ProfilePublic,
    ProfileUpdate,
    apply_profile_change,
    upgrade_profile_document,
)
from service.store import Store

router = APIRouter(prefix="/api/profile", tags=["profile"])


@router.get("", response_model=ProfilePublic, summary="The profile (defaults before the first save)")
def get_profile(store: StoreDep) -> ProfilePublic:
    """Return the profile, with defaults before the first save."""
    return profile_public(store)


def profile_public(store: Store) -> ProfilePublic:
    """The profile as ``GET /api/profile`` gives it (defaults before the first save)."""
    return ProfilePublic(**load_profile(store).model_dump(), not_medical_advice=NOT_MEDICAL_ADVICE)


@router.put("", response_model=ProfilePublic, summary="Replace the profile")
def put_profile(profile: ProfileUpdate, store: StoreDep) -> ProfilePublic:
    """Replace the profile; calibration factors left out keep their stored values."""

    # stride_scales left out (a client of the single factor, or one that never shows them) keeps the stored factors,
    # as they are when it is written (read in the same transaction: a calibration meanwhile is not lost)
    def replace(stored: dict) -> dict:
        return profile.merged_with(ProfileUpdate.model_validate(upgrade_profile_document(stored))).model_dump(
            mode="json"
        )

    saved = store.update_profile(replace)
    return ProfilePublic(**saved, not_medical_advice=NOT_MEDICAL_ADVICE)


@router.patch(
    "",
    response_model=ProfilePublic,
    summary="Change some fields of the profile",
    responses={409: {"description": "A changed field was saved elsewhere since the client showed it"}},
)
def patch_profile(change: ProfileChange, store: StoreDep) -> ProfilePublic:
    """Set the fields ``changes`` names and keep every other stored value (what the dashboard's profile page sends:
    a calibration or another tab's save meanwhile is never dropped). With ``seen``, a field saved elsewhere since the
    client showed it is refused with 409 and nothing is saved."""
    try:
        saved = store.update_profile(lambda stored: apply_profile_change(stored, change))
    except ProfileConflictError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", "changes", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    except ValueError as exc:  # a nested field that is not an object
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return ProfilePublic(**saved, not_medical_advice=NOT_MEDICAL_ADVICE)
