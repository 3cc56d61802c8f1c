"""What users read: the CSV feeds and their archive, the chart, workbooks, health, alerts and digests, terminal tables."""
