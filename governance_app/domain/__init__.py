"""Plain values of the governance vocabulary; standard library only."""
