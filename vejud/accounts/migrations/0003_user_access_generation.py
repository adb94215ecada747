from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_grant"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="access_generation",
            field=models.PositiveBigIntegerField(db_default=0, default=0, editable=False),
        ),
    ]
