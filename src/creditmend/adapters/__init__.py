"""Adapters: the only place third-party engines are imported; each implements a port."""
