"""How a chance is written for a person: the window's panels and ``glyphpad-ml``'s answers say it alike."""

LEAST_SHOWN = 0.0005  # a chance below this is shown as "<0.1%" (one decimal would say 0.0%)


def confidence_text(prob: float) -> str:
    """A chance as every view shows it: one decimal, "<0.1%" rather than a column of "0.0%", and ">99.9%"
    rather than "100.0%" (a certainty no model has: the digits model was "100.0%" sure an O was a 0)."""
    if prob < LEAST_SHOWN:
        return "<0.1%"
    return ">99.9%" if prob >= 1.0 - LEAST_SHOWN else f"{100 * prob:.1f}%"  # (NaN: "nan%", not certain)
