"""The tests' real Learning Record Store: Ralph on 127.0.0.1 (see README.md)."""
from .client import LrsClient, Response
from .server import Credentials, RalphLRS, basic_auth, free_port

__all__ = ["Credentials", "LrsClient", "RalphLRS", "Response", "basic_auth", "free_port"]
