"""Training of the small models planqa ships: run by ``make train``, never installed."""
