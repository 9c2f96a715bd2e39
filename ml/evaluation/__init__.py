"""Measuring models: metrics per data source, reports, synthesized drawings, latency, generated tables."""
