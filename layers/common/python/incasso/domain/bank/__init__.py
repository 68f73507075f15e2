"""Bank statements (CONTRACT.md §9): their entries, what became of each, and the matcher. Pure: no AWS."""
