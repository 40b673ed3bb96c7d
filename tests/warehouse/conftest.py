from tests.sources.support import no_derive  # noqa: F401  (fixture)
