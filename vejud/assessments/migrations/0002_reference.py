from django.db import migrations


def load(apps, schema_editor):
    from vejud.assessments.reference import load_assessment_reference

    load_assessment_reference(
        apps.get_model("assessments", "Programme"),
        apps.get_model("assessments", "CriteriaVersion"),
        apps.get_model("assessments", "MotivationFactor"),
        apps.get_model("organisations", "Unit"),
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
