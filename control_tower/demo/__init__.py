"""Demo corpus of a Pohang-like city: Korean content (JSON) rendered into HWPX/HWP/PDF/DOCX/XLSX.

``control_tower.demo.generate.generate_demo_corpus(out_dir)`` writes the files and
``ct-manifest.json``; the labeled query set lives in ``evals/datasets/demo/``.
See docs/DEMO_CORPUS.md.
"""
