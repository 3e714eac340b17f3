"""The interpreter that runs the pipeline: ``startup`` (what the command entry
points call first) and ``memory`` (when the garbage collector runs)."""
