"""Running Trainer: health checks for a load balancer, request logging, backups."""
