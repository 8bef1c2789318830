"""Stage 5, Excel: the control workbook (控制台.xlsm), its xlwings adapter and the double-click launchers."""
