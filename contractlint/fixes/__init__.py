"""Fixes: the recommended handling written into the code, and applied to files safely.

``transform`` builds the edits with libcst, for findings only: the analysis asks it for them;
``imports`` adds the imports they need; ``edits`` turns spans into offsets, applies edits and
renders diffs; ``apply`` applies the safe fixes of a file in rounds and writes the file back
atomically.
"""
