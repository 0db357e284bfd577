"""planqa ui stage."""
