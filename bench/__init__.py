"""``make bench``: how fast calicolab.bgp_lb converges, detects convergence and failure, and scales, on the twin."""
