"""Reserved for the reports stage (see DESIGN.md); filled by later issues."""
