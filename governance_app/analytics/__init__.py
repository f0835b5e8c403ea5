"""Reserved for the analytics stage (see DESIGN.md); filled by later issues."""
