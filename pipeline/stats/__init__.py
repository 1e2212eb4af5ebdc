"""Agreement and significance statistics over plain counts (pure)."""
