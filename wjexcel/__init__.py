"""wjexcel: run an action plan's reporting cycle in Excel.

Importing the package stays cheap (no pandas, no openpyxl) so the command line and
the Excel buttons start fast. The package logs but never prints: without a handler set up
by the caller (the command line writes a debug log, see :mod:`wjexcel.logs`), its log
goes nowhere rather than to stderr.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
