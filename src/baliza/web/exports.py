"""Tables a page shows, downloaded as CSV or Excel (openpyxl): the same rows, filters and scope as the page.

A cell that starts like a formula (=, +, -, @) is written as text so that a spreadsheet does not run it
(CSV injection); numbers stay numbers. Every download is an export the caller records in the audit log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi import HTTPException
from fastapi.responses import Response

FORMATS = ("csv", "xlsx")
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Sheet = tuple[Sequence[str], Sequence[Sequence[Any]]]


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, (dict, list, tuple, set)):
        return str(value)
    return value


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM, so that Excel reads accents right


def xlsx_bytes(sheets: dict[str, Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title=_sheet_title(title))
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(_excel_value(v)) for v in row])
        sheet.freeze_panes = "A2"
    if not book.sheetnames:
        book.create_sheet("-")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _excel_value(value: Any) -> Any:
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; stored times are UTC
    return value


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return (cleaned or "-")[:31]


def download(fmt: str, name: str, sheets: dict[str, Sheet]) -> Response:
    """A CSV (the first sheet) or Excel file of `sheets` named `name.<fmt>`; 404 for another format."""
    if fmt not in FORMATS:
        raise HTTPException(404, f"a table downloads as {' or '.join(FORMATS)}")
    if fmt == "csv":
        header, rows = next(iter(sheets.values()), ((), ()))
        body = csv_bytes(header, rows)
    else:
        body = xlsx_bytes(sheets)
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
