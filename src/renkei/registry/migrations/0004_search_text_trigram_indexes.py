"""GIN trigram indexes on the stored search columns, on PostgreSQL (core.search.trigram_indexes):
a list search is `search_text LIKE '%…%'`, which a B-tree index cannot serve."""

from django.db import migrations

from renkei.core.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_edit_version")]

    operations = [trigram_indexes("registry_organisation", "registry_contact", "registry_informationasset")]
