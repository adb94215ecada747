"""Reference data shipped as CSV files (loaded by ``vejud load-reference``)."""
