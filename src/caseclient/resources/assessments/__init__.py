"""Assessment templates (JSON) and the JSON Schema they follow; read with importlib.resources."""
