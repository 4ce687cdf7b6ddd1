"""New AI project ideation: the use-case catalogue, department profiles and proposals."""
