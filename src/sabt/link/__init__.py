"""Record linkage: cross-script features, splink 5 model, clustering, evaluation."""
