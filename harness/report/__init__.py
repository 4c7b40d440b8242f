"""report stage: render a run's results (``reports/results.json``) for people and tools.

``html`` is the page a docs writer opens, ``coverage`` the numbers a CI gate
checks, ``junit`` and ``cucumber`` the formats CI servers and cucumber
dashboards already understand. All of them read :mod:`harness.results` only,
and all render the same input to the same bytes.
"""

from harness.report.write import ReportError, write_reports

__all__ = ["ReportError", "write_reports"]
