"""The double-click front ends: the control workbook's buttons (the xlwings adapter), the launchers' dialogue
and the release's 新建工作区. What they write and do is the library room's, :mod:`wjexcel.cycle`."""
