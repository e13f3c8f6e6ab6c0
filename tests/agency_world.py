"""A small warehouse with three agencies, for the access, CLI and web tests.

- AG-CUS (customs) reports seizures S1 (with inspection I1, consignment K1, arrest A1 of person X1)
  and S2 (arrest A2 of person X2), a case C9 of its own on S1, and a load 1 dataset.
- AG-PRO (prosecution) reports case C1 opened on S1, with defendant X1 and charge H1, and asset M1.
- AG-POL (police) reports seizure S3 and person X3.
- AG-LIV (livelihood programme) reports farmer F1 (protected by enrolment), and AG-CUS reports P1,
  a person flagged protected.
"""

from __future__ import annotations

from pathlib import Path

from baliza.warehouse import Warehouse, open_warehouse

AGENCIES = ("AG-CUS", "AG-PRO", "AG-POL", "AG-LIV")


def build_world(path: Path) -> Warehouse:
    wh = open_warehouse(path)
    sql = wh.duckdb.execute
    sql("insert into agencies (agency_id, name, country, kind, _agency_id) values"
        " ('AG-CUS','Customs','PER','customs','AG-CUS'), ('AG-PRO','Prosecution','PER','prosecution','AG-PRO'),"
        " ('AG-POL','Police','PER','police','AG-POL'), ('AG-LIV','Livelihoods','PER','ngo','AG-LIV')")
    sql("insert into entry_points (entry_point_id, name, kind, country, latitude, longitude, _agency_id) values"
        " ('EP1','Callao','seaport','PER',-12.05,-77.15,'AG-CUS')")
    sql("insert into units (unit_id, agency_id, name, kind, programme, entry_point_id, _agency_id) values"
        " ('U1','AG-CUS','Callao PCU','port_control_unit','CCP','EP1','AG-CUS'),"
        " ('P9','AG-PRO','Lima office','prosecution_office',null,null,'AG-PRO'),"
        " ('L1','AG-LIV','VRAEM office','programme_office',null,null,'AG-LIV'),"
        " ('Q1','AG-POL','Police unit','investigation_unit',null,null,'AG-POL')")
    sql("insert into consignments (consignment_id, entry_point_id, mode, declared_at, _agency_id, _load_id) values"
        " ('K1','EP1','sea_container','2025-01-01','AG-CUS',1)")
    sql("insert into inspections (inspection_id, consignment_id, unit_id, inspected_at, selection, outcome,"
        " _agency_id, _load_id) values ('I1','K1','U1','2025-01-02','risk_profile','seizure','AG-CUS',1)")
    sql("insert into seizures (seizure_id, unit_id, seized_at, entry_point_id, inspection_id, substance,"
        " substance_group, quantity, quantity_unit, _agency_id, _load_id) values"
        " ('S1','U1','2025-01-02','EP1','I1','cocaine','cocaine_type',120,'kg','AG-CUS',1),"
        " ('S2','U1','2025-02-10','EP1',null,'heroin','opiates',3,'kg','AG-CUS',2),"
        " ('S3','Q1','2025-03-01',null,null,'cannabis','cannabis_type',40,'kg','AG-POL',7)")
    sql("insert into persons (person_id, full_name, birth_date, nationality, protected, _agency_id, _load_id) values"
        " ('X1','Juan Courier','1990-01-01','PER',false,'AG-CUS',1),"
        " ('X2','Ana Mule','1991-02-02','COL',false,'AG-CUS',2),"
        " ('X3','Pedro Dealer',null,'PER',false,'AG-POL',7),"
        " ('P1','Witness Protected',null,'PER',true,'AG-CUS',1),"
        " ('F1','Farmer Flores','1970-05-05','PER',false,'AG-LIV',3)")
    sql("insert into arrests (arrest_id, person_id, unit_id, arrested_at, seizure_id, _agency_id, _load_id) values"
        " ('A1','X1','U1','2025-01-02','S1','AG-CUS',1), ('A2','X2','U1','2025-02-10','S2','AG-CUS',2)")
    sql("insert into cases (case_id, office_id, opened_at, origin, seizure_id, _agency_id, _load_id) values"
        " ('C1','P9','2025-01-05','seizure','S1','AG-PRO',5), ('C9','U1','2025-01-04','seizure','S1','AG-CUS',1)")
    sql("insert into case_parties (case_id, person_id, role, _agency_id, _load_id) values"
        " ('C1','X1','defendant','AG-PRO',5), ('C9','P1','protected_witness','AG-CUS',1)")
    sql("insert into charges (charge_id, case_id, person_id, filed_at, offence, quantity, quantity_unit,"
        " _agency_id, _load_id) values ('H1','C1','X1','2025-01-06','trafficking',100,'kg','AG-PRO',5)")
    sql("insert into assets (asset_id, kind, estimated_value_usd, case_id, owner_person_id, _agency_id, _load_id)"
        " values ('M1','vehicle',20000,'C1','X1','AG-PRO',5)")
    sql("insert into farmer_enrolments (enrolment_id, person_id, programme_office_id, region, crop, enrolled_at,"
        " status, _agency_id, _load_id) values ('E1','F1','L1','VRAEM','coca','2024-06-01','enrolled','AG-LIV',3)")
    sql("insert into loads (load_id, started_at, agency_id, status) values (1, '2025-03-01', 'AG-CUS', 'done'),"
        " (2, '2025-03-02', 'AG-CUS', 'done')")
    sql("insert into quarantine (load_id, table_name, source_file, line, column_name, value, reason) values"
        " (1, 'seizures', 'seizures.csv', 7, 'quantity', 'ten', 'not a number')")
    return wh
