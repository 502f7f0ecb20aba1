"""Playing a compiled story: the engine, class votes, the map's model, reading time."""
