"""Wall time of a run directory, summed over the sessions that produced it.

A run resumes across sessions (a killed or interrupted ``rsbench run`` is re-run with
the same command), so ``finished - created`` in the manifest counts the gaps between
sessions. This script sums each session's own wall time instead:

* a session with ``finished`` in the manifest: ``finished - started``;
* a session that was killed (no ``finished``): from ``started`` to the modification
  time of the last cell file that session wrote (the manifest records each cell's
  session), i.e. the work that was kept.

It also prints the sum of the per-cell ``seconds`` (time inside cells, summed over
workers) so a reader can tell a loaded machine from a slow grid. With ``--into`` the
figures are added to a published ``provenance.json`` under ``"wall_time"``::

    python benchmarks/run_wall_time.py runs/standard --into leaderboard/provenance.json
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from regshift_bench.errors import RegshiftError
from regshift_bench.results import read_manifest, write_json_atomic


def session_walls(run_dir: Path) -> dict[str, Any]:
    """Per-session and total wall seconds of ``run_dir`` (see the module docstring)."""
    manifest = read_manifest(run_dir)  # a clear error when run_dir is not a run directory
    cells = manifest["cells"]
    sessions: list[dict[str, Any]] = []
    for index, session in enumerate(manifest["sessions"]):
        started = datetime.fromisoformat(session["started"])
        mtimes = [
            (run_dir / "cells" / f"{key}.parquet").stat().st_mtime
            for key, cell in cells.items()
            if cell.get("session") == index
            and cell.get("status") == "ok"
            and (run_dir / "cells" / f"{key}.parquet").exists()
        ]
        if session.get("finished"):
            end, how = datetime.fromisoformat(session["finished"]), "manifest finished"
        elif mtimes:
            end = datetime.fromtimestamp(max(mtimes), tz=timezone.utc)
            how = "killed: last cell file written"
        else:
            end, how = started, "killed before any cell finished"
        sessions.append(
            {
                "session": index,
                "started": started.isoformat(),
                "ended": end.isoformat(),
                "end_from": how,
                "wall_seconds": round((end - started).total_seconds(), 1),
                "cells_finished": len(mtimes),
            }
        )
    in_cells = sum(cell.get("seconds") or 0.0 for cell in cells.values() if cell.get("status") == "ok")
    return {
        "sessions": sessions,
        "wall_seconds": round(sum(s["wall_seconds"] for s in sessions), 1),
        "cell_seconds_summed_over_workers": round(in_cells, 1),
        "cells_ok": sum(cell.get("status") == "ok" for cell in cells.values()),
        "cells_planned": len(cells),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--into", type=Path, default=None, help="a published provenance.json to add the figures to")
    args = ap.parse_args()
    if args.into is not None and not args.into.is_file():
        sys.exit(f"--into {args.into}: no such file; pass the provenance.json that `rsbench leaderboard publish` wrote")
    try:
        walls = session_walls(args.run_dir)
    except RegshiftError as exc:
        sys.exit(str(exc))
    for s in walls["sessions"]:
        print(
            f"session {s['session']}: {s['started']} -> {s['ended']} "
            f"({s['end_from']}): {s['wall_seconds'] / 3600:.2f} h, "
            f"{s['cells_finished']} cells"
        )
    print(
        f"wall, summed over sessions: {walls['wall_seconds'] / 3600:.2f} h; "
        f"time inside cells summed over workers: "
        f"{walls['cell_seconds_summed_over_workers'] / 3600:.2f} h; "
        f"{walls['cells_ok']} of {walls['cells_planned']} cells ok"
    )
    if args.into is not None:
        published = json.loads(args.into.read_text())
        published["wall_time"] = {**walls, "computed_by": "benchmarks/run_wall_time.py"}
        write_json_atomic(published, args.into)
        print(f"added wall_time to {args.into}")


if __name__ == "__main__":
    main()
