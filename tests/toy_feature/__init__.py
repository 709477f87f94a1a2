"""A feature that lives outside ejan/: proof that a feature plugs in with no edit to the factory or base templates."""
