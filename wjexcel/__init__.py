"""wjexcel: run an action plan's reporting cycle in Excel.

Importing the package stays cheap (no pandas, no openpyxl) so the command line and
the Excel buttons start fast.
"""

__version__ = "0.1.0"
