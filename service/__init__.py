"""planqa service stage."""
