"""Rule-based extraction for the standard public-sector shapes, one module per shape:
the document view with exact offsets (``doc``), Markdown tables (``tables``), the 사업 개요
table (``overview``), ``○ 사업명:`` bullets and ``- 담당부서:`` lines (``bullets``), budget tables
(``budget_table``), the title rule (``title``), labelled text fields and lexicon terms
(``text_fields``) and evidence passages (``passages``)."""
