"""Name search by word prefix on PostgreSQL: a full-text index over the words of a name.

It replaces the trigram index of cases migration 0005 (``LIKE '%term%'``), whose scan
grew with how common the term's three-letter pieces are: at a million persons "sen"
is in half the surnames. SQLite has neither index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("name_search", config="simple"), name="person_name_words")
TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS person_name_search_trgm"
    " ON people_person USING gin (name_search gin_trgm_ops)"
)


def words_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("people", "Person"), INDEX)
    schema_editor.execute("DROP INDEX IF EXISTS person_name_search_trgm")


def drop_words_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TRIGRAM_INDEX)
    schema_editor.remove_index(apps.get_model("people", "Person"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("cases", "0005_indexes_for_scale"),
    ]

    operations = [migrations.RunPython(words_index, drop_words_index)]
