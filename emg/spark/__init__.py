"""The dbt project on Apache Spark: the profile's `spark` target (session.py) and the simulated
CRM written into Spark tables (load.py), so both engines build from the same raw data."""
