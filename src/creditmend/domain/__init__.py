"""Pure domain core: standard library only, so every rule can be read and tested in isolation."""
