"""AWS glue: Powertools logging, metrics, tracing, custom-resource replies, local invoke."""
