"""Who may call each route: a principal, once its role is checked for the permission named.

Routes of the API and of the dashboard declare their caller with one of these types, so that every route
states what it needs (deny by default: a route without one is refused by a test).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from baliza.access.principal import Principal
from baliza.access.roles import Permission as P
from baliza.web.security import require, signed_in

AnyUser = Annotated[Principal, Depends(signed_in())]
AggregateReader = Annotated[Principal, Depends(require(P.READ_AGGREGATES))]
SeizureReader = Annotated[Principal, Depends(require(P.READ_SEIZURES))]
CaseReader = Annotated[Principal, Depends(require(P.READ_CASES))]
PersonReader = Annotated[Principal, Depends(require(P.READ_PERSONS))]
FindingReader = Annotated[Principal, Depends(require(P.READ_FINDINGS))]
FindingDecider = Annotated[Principal, Depends(require(P.DECIDE_FINDINGS))]
IndicatorReader = Annotated[Principal, Depends(require(P.READ_INDICATORS))]
QuarantineReader = Annotated[Principal, Depends(require(P.READ_QUARANTINE))]
GrantReader = Annotated[Principal, Depends(require(P.READ_GRANTS))]
GrantManager = Annotated[Principal, Depends(require(P.MANAGE_GRANTS))]
JusticeReader = Annotated[Principal, Depends(require(P.READ_JUSTICE))]
Exporter = Annotated[Principal, Depends(require(P.EXPORT))]
AssetReader = Annotated[Principal, Depends(require(P.READ_ASSETS))]
EarlyWarningReader = Annotated[Principal, Depends(require(P.READ_EARLY_WARNING))]
