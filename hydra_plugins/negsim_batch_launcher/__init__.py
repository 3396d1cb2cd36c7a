"""negsim's batched Hydra launcher: a sweep's points packed into few lockstep models."""
