"""Running the service: health checks, request logs, read replicas."""
