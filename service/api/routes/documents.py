"""The documents: list them, add one (admin), delete one (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from ingest.errors import InvalidRequest, TooLarge, UnsupportedMediaType
from service.api.deps import ADMIN_AUTH, API_AUTH, AdminDep, RuntimeDep, SettingsDep
from service.api.errors import responses
from service.api.middleware import is_json_type
from service.schemas import DocumentOut

router = APIRouter()

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "A .txt, .md, .docx or .pdf file; its name becomes the document id."},
                "title": {"type": "string", "maxLength": 200, "description": "Optional document title."},
            },
        }}},
    }
}


@router.get("/api/documents", response_model=list[DocumentOut], responses=responses(401, 429, 503),
            dependencies=API_AUTH)
def documents(r: RuntimeDep) -> list[DocumentOut]:
    return [DocumentOut.from_document(d) for d in r.documents()]


@router.post(
    "/api/documents", status_code=201, response_model=DocumentOut, openapi_extra=UPLOAD_BODY,
    responses=responses(401, 403, 409, 413, 415, 422, 503),
    summary="Add a document (admin)", dependencies=ADMIN_AUTH,
)
async def upload_document(request: Request, admin: AdminDep, settings: SettingsDep) -> DocumentOut:
    """Upload a file as a new document and re-index; needs ``Authorization: Bearer <PLANQA_ADMIN_TOKEN>``."""
    filename, data, title = await read_upload(request, settings.max_upload_bytes)
    doc = await run_in_threadpool(admin.add, filename, data, title)
    return DocumentOut.from_document(doc)


@router.delete(
    "/api/documents/{doc_id}", response_model=DocumentOut,
    responses=responses(401, 403, 404, 409, 422, 503), summary="Delete a document (admin)",
    dependencies=ADMIN_AUTH,
)
def delete_document(doc_id: str, admin: AdminDep) -> DocumentOut:
    """Remove the document's file from the corpus and re-index; returns what was removed."""
    return DocumentOut.from_document(admin.delete(doc_id))


async def read_upload(request: Request, limit: int) -> tuple[str, bytes, str | None]:
    """The file name, bytes and optional title of a multipart upload."""
    ctype = request.headers.get("content-type", "")
    if ctype.split(";")[0].strip().lower() != "multipart/form-data" or is_json_type(ctype):
        raise UnsupportedMediaType("send the document as multipart/form-data with the file in the field 'file' "
                                   "(curl -F file=@plan.txt)")
    try:
        form = await request.form(max_files=1, max_fields=4)
    except (MultiPartException, HTTPException) as e:
        detail = getattr(e, "message", None) or getattr(e, "detail", str(e))
        raise InvalidRequest(f"the upload is not valid multipart/form-data ({detail})") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidRequest("send the document as a file in the multipart form field 'file'")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(f"the file is over {limit} bytes; the limit is {limit} (PLANQA_MAX_UPLOAD_BYTES)")
        title = form.get("title")
        if title is not None and not isinstance(title, str):
            raise InvalidRequest("the form field 'title' must be text, not a file")
        return upload.filename or "", data, title
    finally:
        await form.close()
