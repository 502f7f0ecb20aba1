"""Teachers' tools: transcripts, the class report, browser play."""
