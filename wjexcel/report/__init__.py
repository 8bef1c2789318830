"""Stage 4, the report: figures and statuses from the ledger, then the 汇总 workbook sheet by sheet."""
