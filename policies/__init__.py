"""CrossGuard policy packs shipped with goldenpath; one folder per pack."""
