"""Emulator of the Azure Container Apps dynamic sessions data plane (Python code interpreter), sandboxed."""
