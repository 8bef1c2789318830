"""Compatibility: the path 控制台.py of workspaces made by wjexcel 0.1 imports.

Those files run ``from wjexcel.excel_buttons import main``; the adapter now lives in
:mod:`wjexcel.excel.buttons`.
"""

from wjexcel.excel.buttons import main

__all__ = ["main"]
