"""One run of the check, from the paths given to each file's outcome; ``contractlint.engine``
turns the outcomes into a report. One job per module:

- ``discovery``: the files under the checked paths that the configuration selects, by what its
  path patterns match, said in ``patterns``, and git does not ignore, said in ``gitignore``;
- ``names``: what a file is called, in the output and as a module; ``reading``: its bytes;
- ``prefilter``: whether a file's bytes may hold a service call, before anything parses it;
- ``filecheck``: the check of one file, through the cache of ``cache`` and the analysis, to its
  outcome with its acceptances applied; ``failures``: the findings about a file that could not
  be checked;
- ``schedule``: the outcomes in the order of the paths, in this process or by the worker
  processes of ``pool``;
- ``follow``: the rounds that follow service errors through the project's own functions, kept
  whole in ``runcache`` when nothing changed.
"""
