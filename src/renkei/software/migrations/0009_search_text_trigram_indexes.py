"""GIN trigram indexes on the stored search columns, on PostgreSQL (core.search.trigram_indexes):
a list search is `search_text LIKE '%…%'`, which a B-tree index cannot serve."""

from django.db import migrations

from renkei.core.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("software", "0008_edit_version")]

    operations = [trigram_indexes("software_product")]
