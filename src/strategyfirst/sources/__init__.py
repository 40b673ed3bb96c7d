"""Import sources: one module per export format; `registry.SOURCES` lists them."""
