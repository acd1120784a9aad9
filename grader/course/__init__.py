"""Running a course on top of batch results: a roster, deadlines and a late policy, LMS
gradebook exports, the changes a regrade made, and a feedback report per student.

Data in, files out: every module reads what ``grade batch`` wrote (``results/*.json``) and the
instructor's CSV files, and writes files beside them; nothing here grades or runs student code.

- ``roster``: who each submission belongs to (``--roster``), validated line by line;
- ``deadlines``: deadline, extensions and ``--late-policy``: the penalty and how it was computed;
- ``records``: the course record per student (``course/<submission>.json``) and the gradebook;
- ``regrade``: earlier results kept in ``results/history/``, ``changes.csv``;
- ``feedback``: ``feedback/<submission>.html`` and ``.md`` for the student;
- ``exports``: ``grade export canvas|moodle|csv``.
"""
