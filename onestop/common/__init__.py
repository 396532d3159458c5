"""Small shared kernel: request context, base model mixins, errors."""
