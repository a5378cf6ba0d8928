"""Does nothing: what a run costs before the script does anything."""
pass
