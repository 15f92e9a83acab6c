from contractsync.cli import entrypoint

entrypoint()
