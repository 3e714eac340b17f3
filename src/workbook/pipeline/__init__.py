"""Running the stages: ``build`` (one build of chosen editions, in parallel
processes), ``make`` (what is out of date, then the preflight), ``watch``
(rebuild on every change) and ``freshness`` (input hashes in build/.state/).
"""
