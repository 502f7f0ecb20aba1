"""Save files and player profiles: reading, atomic writing, the save folder and where it lives."""
