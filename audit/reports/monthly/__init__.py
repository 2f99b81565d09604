"""The monthly report of the provincial plan: its nine items per agency, frozen in the store,
written as XLSX, CSV and DOCX."""
