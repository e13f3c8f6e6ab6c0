"""Uploading an export in the browser (administrators and analysts), and its API.

    POST /api/uploads                            a new upload            → {"upload_id"}
    PUT  /api/uploads/{id}/files/{name}          one file, as the body   → {"name", "bytes"}
    POST /api/uploads/{id}/load                  load it (all or nothing; `mapping`: see `web.uploads`)
    GET  /api/uploads/{id}                       progress, then the load report
    GET  /api/uploads/{id}/quarantine.csv        the rows the load refused, with why (personal values masked)
    GET  /upload                                 the page: choose files or a folder, watch, download

The load is the uploader's agency's; only that agency's administrators and analysts see the upload.
Uploads, refusals and downloads of the refused rows are audited.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from baliza.access.audit import record
from baliza.access.fieldcrypt import is_encrypted
from baliza.access.principal import Principal
from baliza.access.roles import Role
from baliza.i18n import gettext as _
from baliza.web.api import REFUSALS, Problem
from baliza.web.security import context, signed_in
from baliza.web.templates import render
from baliza.web.uploads import Upload, UploadRefused, Uploads, check_content

UPLOAD_MAX_BYTES = int(os.environ.get("BALIZA_UPLOAD_MAX_MB", "500")) * 1_000_000
UPLOAD_FILE_PATH = "/api/uploads/"
LOADERS = (Role.ADMIN, Role.ANALYST)
REFUSED = {**REFUSALS,
           400: {"description": "A file name that is not a plain name, nothing to load, or an unknown mapping."},
           409: {"description": "The upload is already being loaded, or not loaded yet."},
           413: {"description": "Larger than the upload limit."},
           415: {"description": "Not a CSV, Parquet, Excel, manifest or zip file, or not what its name says."}}
router = APIRouter(responses={code: {**answer, "model": Problem} for code, answer in REFUSED.items()})
AnyUser = Annotated[Principal, Depends(signed_in())]


def uploads_of(request: Request) -> Uploads:
    uploads: Uploads | None = getattr(request.app.state, "uploads", None)
    if uploads is None:
        uploads = request.app.state.uploads = Uploads(context(request), UPLOAD_MAX_BYTES)
    return uploads


def _loader(principal: Principal) -> Principal:
    if principal.role not in LOADERS:
        raise HTTPException(403, _("only administrators and analysts may upload data"))
    return principal


def _upload(request: Request, principal: Principal, upload_id: str) -> Upload:
    found = uploads_of(request).get(upload_id, principal.agency_id)
    if found is None:
        raise HTTPException(404, _("no upload of your agency with that id"))
    return found


def _refused(exc: UploadRefused) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=exc.status)


@router.get("/upload", include_in_schema=False)
def upload_page(request: Request, principal: AnyUser) -> Response:
    _loader(principal)
    return render(request, "upload.html", {"max_mb": UPLOAD_MAX_BYTES // 1_000_000})


@router.post("/api/uploads", status_code=201, tags=["uploads"])
def new_upload(request: Request, principal: AnyUser) -> dict[str, str]:
    """Start an upload; send its files, then ask for the load."""
    _loader(principal)
    return {"upload_id": uploads_of(request).create(principal.username, principal.agency_id).upload_id}


@router.put("/api/uploads/{upload_id}/files/{name}", tags=["uploads"], response_model=None)
async def upload_file(request: Request, upload_id: str, name: str, principal: AnyUser) -> Any:
    """One file of the upload, as the request body (CSV, Parquet, Excel, manifest.yaml, or a zip of them)."""
    _loader(principal)
    upload = _upload(request, principal, upload_id)
    uploads = uploads_of(request)
    declared = request.headers.get("content-length", "")
    try:
        target = uploads.room_for(upload, name, int(declared) if declared.isdigit() else None)
    except UploadRefused as exc:
        return _refused(exc)
    written, first = 0, b""
    try:
        with target.open("wb") as out:
            async for chunk in request.stream():
                if len(first) < 8192:
                    first += chunk[: 8192 - len(first)]
                    check_content(name, first)
                written += len(chunk)
                if upload.bytes - upload.files.get(name, 0) + written > uploads.max_bytes:
                    raise UploadRefused(uploads.too_large(), status=413)
                out.write(chunk)
    except UploadRefused as exc:
        target.unlink(missing_ok=True)
        upload.files.pop(name, None)
        return _refused(exc)
    upload.files[name] = written
    return {"name": name, "bytes": written}


@router.post("/api/uploads/{upload_id}/load", status_code=202, tags=["uploads"], response_model=None)
async def load_upload(request: Request, upload_id: str, principal: AnyUser) -> Any:
    """Load the uploaded files, all or nothing, as your agency. `mapping` (a form or JSON field) names a
    shipped mapping the files are read through (`baliza mapping list`)."""
    _loader(principal)
    upload = _upload(request, principal, upload_id)
    mapping = None
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.json()
        mapping = body.get("mapping") if isinstance(body, dict) else None
    try:
        uploads_of(request).start(upload, mapping=mapping)
    except UploadRefused as exc:
        return _refused(exc)
    return upload.to_dict()


@router.get("/api/uploads/{upload_id}", tags=["uploads"])
def upload_status(request: Request, upload_id: str, principal: AnyUser) -> dict[str, Any]:
    """Where the upload is: receiving, queued, waiting (for whom), loading (step), computing, done or failed."""
    _loader(principal)
    return _upload(request, principal, upload_id).to_dict()


@router.get("/api/uploads/{upload_id}/quarantine.csv", tags=["uploads"])
def quarantine_csv(request: Request, upload_id: str, principal: AnyUser) -> Response:
    """The rows this upload's load refused: table, file, line, column, value, reason and the row as sent
    (personal values masked). Audited as an export."""
    _loader(principal)
    upload = _upload(request, principal, upload_id)
    if upload.load_id is None or upload.state != "done":
        raise HTTPException(409, _("the upload has not been loaded yet"))
    ctx = context(request)
    with ctx.locked() as wh:
        rows = wh.duckdb.execute(
            "select q.table_name, q.source_file, q.line, q.column_name, q.value, q.reason, q.raw from quarantine q "
            "join loads l using (load_id) where q.load_id = ? and l.agency_id = ? order by 1, 2, 3",
            [upload.load_id, principal.agency_id]).fetchall()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "file", "line", "column", "value", "reason", "row"])
    for table, file, line, column, value, reason, raw in rows:
        writer.writerow([table, os.path.basename(file), line, column, _masked(value), reason,
                         json.dumps(_masked_row(raw), ensure_ascii=False)])
    record(ctx.state, principal.username, principal.agency_id, "export", f"loads/{upload.load_id}/quarantine.csv",
           {"rows": len(rows)})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="quarantine-load-{upload.load_id}.csv"'})


def _masked(value: Any) -> Any:
    return _("(personal data)") if isinstance(value, str) and is_encrypted(value) else value


def _masked_row(raw: Any) -> Any:
    try:
        row = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    return {k: _masked(v) for k, v in row.items()} if isinstance(row, dict) else row
