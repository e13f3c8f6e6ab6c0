"""`baliza clusters` and `baliza trace`: cryptocurrency clusters and taint tracing (docs/crypto.md).

Both only present: the clustering and the trace are `baliza.crypto`'s. `--json` prints exactly the
interface scripts use: `clusters` a list of {"address", "cluster_id"}; `trace` an object whose "reached" lists
{"address", "cluster_id", "tainted_amount", "tags"} and whose "paths" are the evidence, step by step.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from baliza.access.files import write_private
from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.i18n import gettext as _
from baliza.i18n.findings import summary as finding_summary

ChainOption = Annotated[str, typer.Option("--chain", help="The chain: btc, eth, trx, ...")]
AssetOption = Annotated[str | None, typer.Option("--asset", help="On an account chain, the asset to follow "
                                                  "(default: the chain's most frequent one).")]
ChangeOption = Annotated[bool, typer.Option("--change-heuristic", help="Also join one-time change addresses "
                                                "to their spender's cluster (a guess; off by default).")]


UserOption = Annotated[str | None, typer.Option("--user", help="Read the chain as this user may see it: only "
                                                 "the rows the user's agency loaded or was granted.")]


def _scope_of(warehouse: Any, username: str) -> Any:
    """The scope of `username` (an active user allowed to read findings), as the dashboard gives it."""
    from baliza.access.roles import Permission
    from baliza.access.scope import scope_for
    from baliza.access.state import open_state_beside
    from baliza.access.users import get_user

    state = open_state_beside(warehouse.home)
    try:
        found = get_user(state, username)
        if found is None or found.disabled:
            raise LookupError(_("no active user '%(user)s' (see baliza user list)", user=username))
        principal = found.principal(via="cli")
        if not principal.may(Permission.READ_FINDINGS):
            raise LookupError(_("user %(user)s (%(role)s) may not trace crypto funds", user=username,
                                role=found.role))
        return scope_for(warehouse, state, principal)
    finally:
        state.close()


def _audit_export(db: Path | None, username: str, subject: str, detail: dict[str, Any]) -> None:
    from baliza.access.audit import record
    from baliza.access.state import open_state_beside
    from baliza.access.users import get_user
    from baliza.warehouse.engines import home_of

    state = open_state_beside(home_of(db))
    try:
        found = get_user(state, username)
        if found is not None:
            record(state, found.username, found.agency_id, "export", subject, detail)
    finally:
        state.close()


def _read(db: Path | None, chain: str, asset: str | None, change: bool, user: str | None = None,
          asked: list[str] | None = None) -> Any:
    """The chain as a whole (an operator), or as `user` may see it; refused, naming the holding agencies,
    when what `user` asks for rests on rows another agency has not shared."""
    from baliza.crypto.scoped import holders, names_of, read_scoped, refuse_unseen
    from baliza.warehouse import open_warehouse

    with open_warehouse(db, read_only=True) as warehouse:
        scope = _scope_of(warehouse, user) if user else None
        data = read_scoped(warehouse, scope, chain, asset, change)
        if scope is not None:
            refuse_unseen(warehouse, scope, data, chain, asked or [])
            if data is None:
                raise LookupError(_("The transactions of the chain %(chain)s are held by %(holders)s and not shared "
                                    "with the agency of %(user)s.", chain=chain,
                                    holders=names_of(holders(warehouse, scope, chain)), user=user))
        return data


def clusters(
    chain: ChainOption,
    db: DbOption = None,
    as_json: JsonOption = False,
    explain: Annotated[str | None, typer.Option("--explain", help="Explain the cluster of this address (or "
                                                 "cluster id): its addresses and the transactions that joined "
                                                 "them.")] = None,
    change: ChangeOption = False,
    asset: AssetOption = None,
    user: UserOption = None,
) -> None:
    """Group a chain's addresses by common-input ownership (CoinJoins left out)."""
    try:
        data = _read(db, chain, asset, change, user, [explain] if explain else None)
        if explain:
            code = int(data.ledger.address_codes([explain])[0])
            cluster_id = str(data.clustering.cluster_of(code)) if code >= 0 else explain
            shown: Any = data.clustering.explain(cluster_id)
        else:
            shown = data.clustering.rows()
    except (LookupError, FileNotFoundError, ValueError) as error:
        fail(str(error).strip("'\""))
        return
    if as_json:
        print_json(shown)
        return
    if explain:
        console.print(_("Cluster %(cluster)s: %(count)s addresses", cluster=shown["cluster_id"],
                        count=f"{len(shown['addresses']):,}"))
        for join in shown["joined_by"]:
            console.print(f"  {join['time']}  {join['tx_hash']}  {join['rule']}: {', '.join(join['addresses'])}")
        return
    sizes: dict[str, int] = {}
    for row in shown:
        sizes[row["cluster_id"]] = sizes.get(row["cluster_id"], 0) + 1
    table = Table(_("Cluster"), _("Addresses"), title=_("%(count)s addresses in %(clusters)s clusters",
                                                      count=f"{len(shown):,}", clusters=f"{len(sizes):,}"))
    for cluster_id, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:20]:
        table.add_row(cluster_id, f"{size:,}")
    console.print(table)


def trace(
    chain: ChainOption,
    seeds: Annotated[str, typer.Option("--from", help="Seed addresses or cluster ids, separated by commas.")],
    method: Annotated[str, typer.Option("--method", help="poison, haircut or fifo.")] = "haircut",
    max_hops: Annotated[int, typer.Option("--max-hops", help="Hops that carry taint (1..N).")] = 6,
    direction: Annotated[str, typer.Option("--direction", help="forward (where it went) or backward (where it "
                                            "came from).")] = "forward",
    path_to: Annotated[str | None, typer.Option("--path-to", help="Addresses to give paths to, separated by "
                                                 "commas (default: the reached tagged clusters).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    change: ChangeOption = False,
    asset: AssetOption = None,
    export: Annotated[Path | None, typer.Option("--export", help="Also write the paths to this file: .gexf "
                                                 "(Gephi) or .ftm.json (FollowTheMoney entities, one a line).")]
    = None,
    user: UserOption = None,
) -> None:
    """Follow value from seed addresses by the poison, haircut or FIFO rule; where it went, and how."""
    from baliza.crypto.chaindata import expand_seeds

    wanted = [s.strip() for s in seeds.split(",") if s.strip()]
    if not wanted:
        fail(_("Give at least one seed address with --from."))
        return
    try:
        data = _read(db, chain, asset, change, user, wanted)
        result = data.trace(expand_seeds(data, wanted), method, max_hops, direction,
                            [a.strip() for a in path_to.split(",") if a.strip()] if path_to else None)
    except (LookupError, FileNotFoundError, ValueError) as error:
        fail(str(error).strip("'\""))
        return
    if export is not None:
        from baliza.crypto.export import ftm_lines, to_gexf

        if export.name.endswith(".gexf"):
            kind, text = "gexf", to_gexf(result)
        elif export.name.endswith((".ftm.json", ".ftm.jsonl", ".ftm")):
            kind, text = "ftm", ftm_lines(result)
        else:
            fail(_("Export to a .gexf or a .ftm.json file."))
            return
        if user:  # as on the dashboard: what a user takes out of Baliza is in the audit log
            _audit_export(db, user, f"crypto/{result.chain}/trace.{kind}",
                          {"seeds": result.seeds[:20], "method": result.method, "via": "cli"})
        write_private(export, text)
    if as_json:
        print_json(result.to_dict())
        return
    _print_trace(result)


def _print_trace(result: Any) -> None:
    asset = result.asset or result.chain.upper()
    table = Table(_("Address"), _("Cluster"), _("Tainted amount"), _("Tags"),
                  title=_("Reached by the %(method)s rule in %(hops)s hops", method=result.method,
                          hops=result.max_hops))
    for row in result.reached[:30]:
        labels = "; ".join(f"{t['label']} ({t['source']})" for t in row["tags"])
        table.add_row(row["address"], row["cluster_id"], f"{row['tainted_amount']:,.8f} {asset}", labels)
    console.print(table)
    if len(result.reached) > 30:
        console.print(_("%(count)s more addresses (use --json for all).", count=f"{len(result.reached) - 30:,}"))
    for item in result.exposure:
        console.print(_("Exposure to %(category)s: %(amount)s in %(clusters)s clusters", category=item["category"],
                        amount=f"{item['tainted_amount']:,.8f} {asset}", clusters=item["clusters"]))
    for path in result.paths[:5]:
        console.print(_("Path to %(address)s:", address=path["to"]))
        for step in path["steps"]:
            console.print(f"  {step['hop']}  {step['time']}  {step['tx_hash'][:16]}  {step['from']} → {step['to']}"
                          f"  {step['tainted_amount']:,.8f} / {step['amount']:,.8f} {asset}")
    for peel in result.peel_chains:
        console.print(_("Peel chain of %(length)s transactions from %(tx)s, %(amount)s peeled off",
                        length=peel["length"], tx=peel["start_tx"], amount=f"{peel['peeled_amount']:,.8f}"))


def crypto_load(
    paths: Annotated[list[Path], typer.Argument(help="Transaction files (Bitcoin Core or Esplora JSON, .json or "
                                                "one per line .jsonl) and tag packs (.yaml).")],
    chain: Annotated[str, typer.Option("--chain", help="The chain the transactions are on.")] = "btc",
    agency: Annotated[str | None, typer.Option("--agency", help="The reporting agency.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load node or explorer transactions and tag packs (every tag kept with its source)."""
    from baliza.crypto.importing import load_crypto_files
    from baliza.warehouse import open_warehouse
    from baliza.warehouse.engines import is_url, publishing_to
    from baliza.warehouse.store import chosen_db

    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        fail(_("No such file: %(files)s", files=", ".join(missing)))
        return
    chosen = chosen_db(db)
    try:  # PostgreSQL, Spark: loaded into the loading file, then published with its tables (as baliza load)
        with publishing_to(chosen, getpass.getuser()) if is_url(chosen) else open_warehouse(chosen) as warehouse:
            loaded = load_crypto_files(warehouse, list(paths), chain, agency)
    except (ValueError, LookupError) as error:
        fail(str(error))
        return
    if as_json:
        print_json(loaded.to_dict())
        return
    console.print(_("%(transactions)s transactions (%(rows)s inputs and outputs) and %(tags)s tags loaded.",
                    transactions=f"{loaded.transactions:,}", rows=f"{loaded.io_rows:,}", tags=f"{loaded.tags:,}"))
    if loaded.report is not None and loaded.report.quarantined:
        console.print(_("%(count)s rows were set aside: see baliza quarantine.",
                        count=f"{loaded.report.quarantined:,}"))


def crypto_findings(
    chain: ChainOption,
    method: Annotated[str, typer.Option("--method", help="poison, haircut or fifo.")] = "haircut",
    max_hops: Annotated[int, typer.Option("--max-hops", help="Hops that carry taint (1..N).")] = 6,
    db: DbOption = None,
    as_json: JsonOption = False,
    asset: AssetOption = None,
    user: UserOption = None,
) -> None:
    """Seized or suspect wallets (and listings' payment addresses) whose funds reach an exchange, and exchanges
    exposed to darknet markets or mixers."""
    from baliza.access.scope import ScopedWarehouse
    from baliza.crypto.links import wallet_findings
    from baliza.crypto.markets import exposure_findings
    from baliza.warehouse import open_warehouse

    try:
        data = _read(db, chain, asset, False, user)
        with open_warehouse(db, read_only=True) as warehouse:
            source = ScopedWarehouse(warehouse, _scope_of(warehouse, user)) if user else warehouse
            findings = wallet_findings(source, data, method, max_hops) + exposure_findings(data, method, max_hops)
    except (LookupError, FileNotFoundError, ValueError) as error:
        fail(str(error).strip("'\""))
        return
    if as_json:
        print_json([f.to_dict() for f in findings])
        return
    if not findings:
        console.print(_("No seized or suspect wallet reaches an exchange within %(hops)s hops.", hops=max_hops))
    for finding in findings:
        console.print(finding_summary(finding))


def register(app: typer.Typer) -> None:
    app.command("crypto-findings")(crypto_findings)
    app.command("crypto-load")(crypto_load)
    app.command("clusters")(clusters)
    app.command("trace")(trace)
