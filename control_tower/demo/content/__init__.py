"""Demo content data (JSON). A package only so wheels ship the JSON files."""
