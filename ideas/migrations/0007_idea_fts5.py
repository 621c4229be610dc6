"""SQLite only: an FTS5 index of the ideas' titles and descriptions, so similar ideas are ranked
by SQLite's own full-text search (bm25). PostgreSQL has ideas_ideasearch instead."""

from django.db import migrations


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    from ideas.search import FTS_TABLE, search_documents_refresh

    with connection.cursor() as cursor:
        # rowid is the idea's id; porter folds "shipping" and "ships" into "ship".
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
            "USING fts5(title, description, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    search_documents_refresh(connection=connection)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    from ideas.search import FTS_TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("ideas", "0006_category_retire_merge")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
