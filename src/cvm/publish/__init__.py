"""Results out of the database: Parquet/CSV exports and the published folder for BI tools.

A BI tool (Power BI, Tableau, Qlik, Metabase) or a Spark job that opens ``cvm.duckdb`` holds its
lock and keeps cvm from writing. The published folder is plain Parquet files that any of them
reads while cvm keeps ingesting and scoring; it is refreshed by writing a new folder beside it
and renaming it into place.

The queries are ``publish/sql/tables.sql`` (one per published table); each runs through the
workspace's engine as Arrow batches, its JSON (and, for CSV, nested) columns cast to text by a
select list built on the SQLGlot tree.
"""

from cvm.publish.files import (
    PUBLISHED,
    ExportResult,
    PublishResult,
    export_table,
    publish,
)

__all__ = ["PUBLISHED", "ExportResult", "PublishResult", "export_table", "publish"]
