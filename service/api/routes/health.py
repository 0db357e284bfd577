"""``/healthz``: can this process answer (for a load balancer)?"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from service.api.deps import RuntimeDep
from service.schemas import Health

router = APIRouter()


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(r: RuntimeDep) -> Health | JSONResponse:
    """200 when this process can answer; 503 while it cannot."""
    check = getattr(r, "check", None)  # a stand-in runtime may not check
    problem = check() if check is not None else None
    idx = r.index
    if problem is not None or idx is None:
        failed = getattr(r, "load_error", None) or getattr(r, "backend_error", None)
        body = Health(status="error" if failed else "loading", documents=0, passages=0, detail=problem)
        return JSONResponse(jsonable_encoder(body), status_code=503)
    return Health(status="ok", documents=len(idx.documents), passages=idx.passage_count,
                  model=idx.manifest.get("model"), index_built=idx.manifest.get("created"))
