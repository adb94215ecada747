"""Ask for one export on a seeded database (run by ``bench/export`` inside Django).

Creates or refreshes the benchmark's national user and asks, through the export service
(checked and audited like any request), for anonymised case rows of every case the national
contact point sees, in the format given. The service hands the build to the task worker.
Prints one JSON object: the export's id and the number of cases it will hold.
"""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    django.setup()

    from vejud.accounts.models import Membership, Role, User
    from vejud.exports.services import export_request
    from vejud.organisations.models import Unit, UnitKind
    from vejud.statistics.dashboard import default_period

    fmt = sys.argv[1] if len(sys.argv) > 1 else "csv"
    national = Unit.objects.filter(kind=UnitKind.NATIONAL).order_by("pk").first()
    if national is None:
        raise SystemExit("export_prepare: no national unit; run vejud load-reference first")
    email = "bench.exporter@bench.vejud.dk"
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, None, full_name="Bench Exporter", language="en"
    )
    Membership.objects.get_or_create(user=user, unit=national, role=Role.NATIONAL_HEAD)
    selection = {"period": default_period().value, "unit": "", "track": "", "all_periods": True}
    export = export_request(actor=user, kind="case_rows", fmt=fmt, selection=selection)
    print(json.dumps({"export": export.pk}))


if __name__ == "__main__":
    main()
