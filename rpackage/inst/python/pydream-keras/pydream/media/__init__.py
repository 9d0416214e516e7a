"""Pictures in and out: loading, checking and atomic writing, masks and guides, and the
example photos."""
