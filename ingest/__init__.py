"""planqa ingest stage."""
