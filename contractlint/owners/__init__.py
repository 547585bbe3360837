"""The owners' view: one report from the inventories of many consumer repositories.

Each consumer repository saves ``contractlint report --format json``, its *inventory*, in its own
CI; the owners of a service collect them and merge them. ``identity`` says whose an inventory is
when it is written; ``read`` turns one inventory file into a compact, validated record, one file
at a time; ``merge`` gathers the records into the merged view that ``contractlint.output.owners``
renders, and compares it with an earlier merge for ``--since``.
"""
