"""Widgets emit data and never call a model; ``MainWindow`` wires them to the inference service."""
