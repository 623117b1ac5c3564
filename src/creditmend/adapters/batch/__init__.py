"""The indicator batch: the input tables as Parquet, and the SQL jobs run by DuckDB or Spark.

- `parquet.write_tables` writes the rows of `domain.report.batch_rows.TABLES` as Parquet.
- `jobs` holds the SQL, written once; `duckdb_engine.DuckDBEngine` (the embedded default) and
  `spark_engine.SparkEngine` (`pip install 'creditmend[spark]'`) run it over those files and
  write `indicators.parquet` (one row per person, `indicators.NAMES`) and `platforms.parquet`.
"""
