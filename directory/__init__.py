"""kapdir's domain: models, extraction, normalization, board sources, verification, storage, CLI."""
