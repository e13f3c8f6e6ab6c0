"""A small hand-built interdiction warehouse shared by the KSI, benchmark and report tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from baliza.warehouse import Warehouse, open_warehouse

UNITS = pd.DataFrame(
    {
        "unit_id": ["JA1", "JA2", "PC1", "PC2"],
        "agency_id": ["AG1", "AG1", "AG2", "AG2"],
        "name": ["JAITF North", "JAITF South", "PCU Port A", "PCU Port B"],
        "kind": ["airport_task_force", "airport_task_force", "port_control_unit", "port_control_unit"],
        "programme": ["AIRCOP", "AIRCOP", "CCP", "CCP"],
        "entry_point_id": ["EP1", "EP2", "EP3", "EP4"],
        "operational_since": pd.to_datetime(["2024-03-01", None, "2024-01-01", "2024-01-01"]).date,
        "staff_count": [10, None, 8, 5],
    }
)


def build_warehouse(tmp_path: Path) -> Warehouse:
    wh = open_warehouse(tmp_path / "ksi.duckdb")
    sql = wh.duckdb.execute
    sql("insert into agencies values ('AG1','Airport police','XAA','police',null,null,null,null,null),"
        " ('AG2','Customs','XAA','customs',null,null,null,null,null)")
    sql(
        "insert into entry_points (entry_point_id, name, kind, country, annual_traffic) values"
        " ('EP1','North Airport','airport','XAA',5000000), ('EP2','South Airport','airport','XAA',800000),"
        " ('EP3','Port A','seaport','XAA',900000), ('EP4','Port B','seaport','XAA',100000),"
        " ('EP5','Border C','land_border','XAA',200000), ('EP6','Quiet Strip','airport','XAA',null)"
    )
    wh.duckdb.register("units_df", UNITS)
    sql("insert into units by name select * from units_df")
    sql("insert into staff (staff_id, unit_id, role) values ('ST1','JA2','officer'), ('ST2','JA2','officer')")
    inspections = []
    # JA1: 2024: 10 targeted (4 hits), 10 random (1 hit); 2025-Q1: 6 targeted (3 hits), 4 random (0 hits)
    plan = [
        ("JA1", "2024-05-10 10:00", "risk_profile", 4, 10),
        ("JA1", "2024-06-10 10:00", "random", 1, 10),
        ("JA1", "2025-02-10 23:30", "intelligence", 3, 6),
        ("JA1", "2025-03-31 23:59", "random", 0, 4),
        ("JA2", "2025-01-15 08:00", "partner_alert", 2, 5),
        ("JA2", "2025-04-01 00:00", "detector_dog", 1, 3),
        ("PC1", "2025-07-01 12:00", "scanner", 2, 8),
        ("PC2", "2025-07-01 12:00", "random", 0, 2),
    ]
    n = 0
    for unit, at, selection, hits, total in plan:
        for k in range(total):
            n += 1
            outcome = "seizure" if k < hits else ("other_offence" if k == hits else "no_find")
            inspections.append((f"I{n}", f"C{n}", unit, at, selection, outcome))
    frame = pd.DataFrame(inspections, columns=["inspection_id", "consignment_id", "unit_id", "inspected_at",
                                               "selection", "outcome"])
    frame["inspected_at"] = pd.to_datetime(frame["inspected_at"])
    wh.duckdb.register("inspections_df", frame)
    sql("insert into inspections by name select * from inspections_df")
    sql(
        "insert into seizures (seizure_id, unit_id, seized_at, entry_point_id, operation_id, substance,"
        " substance_group, quantity, quantity_unit, lab_confirmed_at, intelligence_led, shared_with_partners_at) values"
        " ('S1','JA1','2024-05-10 10:00','EP1',null,'Cocaine','cocaine_type',2,'kg','2024-05-20 10:00',true,"
        "  '2024-05-12 10:00'),"
        " ('S2','JA1','2024-06-10 10:00','EP1','OP1','cocaine','cocaine_type',500,'g',null,false,'2024-05-12 10:01'),"
        " ('S3','JA1','2025-02-10 23:30','EP1',null,'4-MMC','nps',100,'tablets','2025-02-12 11:30',null,null),"
        " ('S4','JA1','2025-02-11 00:30','EP1','OP1','heroin','opiates',1,'kg',null,true,'2025-02-13 00:31'),"
        " ('S5','JA2','2025-01-15 08:00','EP2',null,'4-mmc ','nps',3,'kg','2025-01-18 08:00',false,"
        "  '2025-01-17 08:00'),"
        " ('S6','PC1','2025-07-01 12:00','EP3',null,'cannabis','cannabis_type',20,'l',null,null,null)"
    )
    sql(
        "insert into arrests (arrest_id, person_id, unit_id, arrested_at, seizure_id) values"
        " ('A1','P1','JA1','2024-05-10 11:00','S1'), ('A2','P2','JA1','2024-05-10 11:00','S1'),"
        " ('A3','P3','JA1','2024-06-10 11:00','S2'), ('A4','P4','JA1','2025-02-11 01:00','S4'),"
        " ('A5','P5','JA2','2025-01-15 09:00','S5'), ('A6','P6','JA1','2025-02-11 01:00',null)"
    )
    sql(
        "insert into cases (case_id, office_id, opened_at, origin, seizure_id) values"
        " ('K1','PO1','2024-06-01','seizure','S1'), ('K2','PO1','2024-09-08 10:00','seizure','S2'),"
        " ('K3','PO1','2025-05-12 01:30','seizure','S4'), ('K4','PO1','2025-02-01','seizure','S3'),"
        " ('K5','PO1','2024-06-02','seizure','S1')"
    )
    sql(
        "insert into dispositions (case_id, person_id, disposed_at, outcome) values"
        " ('K1','P1','2025-01-01','acquitted'), ('K5','P2','2025-01-01','plea_convicted'),"
        " ('K2','P3','2025-03-01','convicted')"
    )
    sql(
        "insert into trainings (training_id, unit_id, kind, topic, starts_on, hours, programmes) values"
        " ('T1','JA1','training','risk profiling','2024-02-01',40,['AIRCOP']),"
        " ('T2','JA1','mentoring','risk profiling','2024-02-15',10,['AIRCOP']),"
        " ('T3','JA1','mentoring','risk profiling','2024-04-15',12,['AIRCOP']),"
        " ('T4','JA2','training','Risk Profiling','2025-01-05',16,['AIRCOP']),"
        " ('T5','JA2','mentoring','passenger screening','2025-02-05',8,['AIRCOP']),"
        " ('T6','PC1','training','risk profiling ','2025-03-01',24,['CCP']),"
        " ('T7','PC2','training','container profiling','2025-03-01',null,['CCP','AIRCOP'])"
    )
    sql(
        "insert into operations (operation_id, name, starts_on, ends_on, programmes, unit_ids, entry_point_ids)"
        " values ('OP1','Operation Cobra','2024-06-01','2025-03-01',['AIRCOP','CCP'],['JA1','PC1'],['EP1','EP3'])"
    )
    sql(
        "insert into consignments (consignment_id, entry_point_id, mode, declared_at) values"
        " ('CX1','EP5','land_vehicle','2025-01-01'), ('CX2','EP1','air_cargo','2025-01-01')"
    )
    return wh
