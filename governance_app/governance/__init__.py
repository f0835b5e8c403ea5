"""Reserved for the governance stage (see DESIGN.md); filled by later issues."""
