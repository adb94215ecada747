from django.db import migrations


def load(apps, schema_editor):
    from vejud.offers.reference import load_offer_types

    load_offer_types(apps.get_model("offers", "OfferType"))


class Migration(migrations.Migration):
    dependencies = [("offers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
