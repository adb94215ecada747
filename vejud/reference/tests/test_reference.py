"""``vejud load-reference``: the shipped reference data, loaded idempotently."""

from __future__ import annotations

import csv
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vejud.organisations.models import InstitutionType, Municipality, PoliceDistrict, Unit, UnitKind
from vejud.people.models import GangGroup
from vejud.reference.services import REFERENCE_DIR, ReferenceDataError, reference_load

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load-reference", *args, stdout=out)
    return out.getvalue()


def test_loads_districts_municipalities_units_and_groups():
    load()

    assert PoliceDistrict.objects.count() == 12
    assert Municipality.objects.count() == 98
    assert (
        Unit.objects.filter(kind=UnitKind.NATIONAL).get().name == "Det Nationale Exit-kontaktpunkt"
    )
    for district in PoliceDistrict.objects.all():
        assert district.exit_unit.kind == UnitKind.LOCAL
        assert district.exit_unit.name == f"Exitenheden, {district.name}"
        assert district.municipalities.exists()
    assert Municipality.objects.get(name="Aarhus").police_district.name == "Østjyllands Politi"
    assert Municipality.objects.get(name="Bornholm").police_district.name == "Bornholms Politi"
    assert GangGroup.objects.count() >= 10


def test_kriminalforsorgen_with_prisons_and_remand_prisons_by_real_names():
    load()

    dfk = Unit.objects.get(kind=UnitKind.DFK)
    assert dfk.name == "Direktoratet for Kriminalforsorgen"
    institutions = Unit.objects.filter(kind=UnitKind.INSTITUTION)
    names = set(institutions.values_list("name", flat=True))
    assert {"Enner Mark Fængsel", "Anstalten ved Herstedvester", "Storstrøm Fængsel"} <= names
    assert {"Københavns Fængsler", "Vestre Fængsel", "Odense Arrest", "Aalborg Arrest"} <= names
    assert "Statsfængslet i Vridsløselille" not in names  # closed in 2020
    types = set(institutions.values_list("institution_type", flat=True))
    assert types == {
        InstitutionType.STATE_PRISON_CLOSED,
        InstitutionType.STATE_PRISON_OPEN,
        InstitutionType.REMAND,
    }
    assert not institutions.filter(parent__isnull=True).exists()
    assert Unit.objects.get(name="Vestre Fængsel").parent.name == "Københavns Fængsler"


def test_copenhagen_programme_comes_with_its_municipality():
    load()

    programme = Unit.objects.get(kind=UnitKind.MUNICIPAL_PROGRAMME)
    assert programme.name == "Københavns Kommunes exitprogram"
    assert programme.municipality.name == "København"


def test_running_again_changes_nothing():
    load()
    before = [
        list(model.objects.order_by("pk").values())
        for model in (PoliceDistrict, Municipality, Unit, GangGroup)
    ]

    output = load()

    after = [
        list(model.objects.order_by("pk").values())
        for model in (PoliceDistrict, Municipality, Unit, GangGroup)
    ]
    assert after == before
    assert "0 created, 0 updated" in output


def test_updates_a_changed_row_in_place():
    load()
    unit = Unit.objects.get(code="enner-mark")
    unit.name = "Wrong name"
    unit.save()
    municipality = Municipality.objects.get(name="Aarhus")
    municipality.police_district = PoliceDistrict.objects.get(code="fyn")
    municipality.save()

    output = load()

    assert Unit.objects.get(code="enner-mark").name == "Enner Mark Fængsel"
    assert Municipality.objects.get(name="Aarhus").police_district.code == "oestjylland"
    assert "units: 0 created, 1 updated" in output
    assert Unit.objects.filter(code="enner-mark").count() == 1


def test_missing_only_keeps_corrections_and_adds_what_is_missing():
    load()
    unit = Unit.objects.get(code="enner-mark")
    unit.name = "Corrected by the administrator"
    unit.save()
    Unit.objects.filter(code="arrest-odense").delete()

    load("--missing-only")

    assert Unit.objects.get(code="enner-mark").name == "Corrected by the administrator"
    assert Unit.objects.get(code="arrest-odense").name == "Odense Arrest"


def test_an_existing_national_point_is_reused_not_duplicated():
    Unit.objects.create(name="Old name", code="old-code", kind=UnitKind.NATIONAL)

    reference_load()

    national = Unit.objects.get(kind=UnitKind.NATIONAL)
    assert (national.code, national.name) == ("nec", "Det Nationale Exit-kontaktpunkt")


def test_an_inconsistent_file_loads_nothing(tmp_path: Path):
    directory = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, directory)
    with (directory / "municipalities.csv").open("a", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow(["Atlantis", "Atlantis Politi"])

    with pytest.raises(ReferenceDataError, match="unknown police district 'Atlantis Politi'"):
        reference_load(directory=directory)

    assert not PoliceDistrict.objects.exists()


def test_command_reports_an_inconsistent_file(tmp_path: Path):
    directory = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, directory)
    (directory / "units.csv").write_text(
        "code,name,kind,parent,police_district,municipality,institution_type\n"
        "orphan,Orphan,institution,nowhere,,,remand\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="parent 'nowhere'"):
        load("--directory", str(directory))


def test_reference_files_are_shipped_with_the_package():
    names = {path.name for path in REFERENCE_DIR.iterdir()}
    assert {"police_districts.csv", "municipalities.csv", "units.csv", "gang_groups.csv"} <= names


def test_every_row_created_or_changed_is_in_the_audit_trail():
    from vejud.audit.models import AuditEvent

    load()
    created = AuditEvent.objects.filter(action="reference.create")
    assert created.filter(object_type="organisations.policedistrict").count() == 12
    assert created.filter(object_type="organisations.municipality").count() == 98
    row = created.get(
        object_type="organisations.municipality",
        object_id=str(Municipality.objects.get(name="Aarhus").pk),
    )
    assert row.changes == {
        "police_district": Municipality.objects.get(name="Aarhus").police_district_id
    }
    before = AuditEvent.objects.count()
    load()  # nothing changed: nothing recorded
    assert AuditEvent.objects.count() == before
    GangGroup.objects.filter(pk=GangGroup.objects.order_by("pk").first().pk).update(kind="other")
    load()
    update = AuditEvent.objects.get(action="reference.update")
    assert update.object_type == "people.ganggroup" and "kind" in update.changes
