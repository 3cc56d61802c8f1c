"""The one generic spider of dumawatch; sites differ by their source entries, not by code."""
