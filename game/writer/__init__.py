"""Writers' tools: random runs, diagrams, the starter story, live reload."""
