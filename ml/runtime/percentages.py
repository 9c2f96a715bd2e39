"""How a chance is written for a person: the window's panels and ``glyphpad-ml``'s answers say it alike."""

LEAST_SHOWN = 0.0005  # a chance below this is shown as "<0.1%" (one decimal would say 0.0%)


def confidence_text(prob: float) -> str:
    """A chance as every view shows it: one decimal, and "<0.1%" rather than a column of "0.0%"."""
    return f"{100 * prob:.1f}%" if prob >= LEAST_SHOWN else "<0.1%"
